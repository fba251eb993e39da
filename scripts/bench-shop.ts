/** A WooCommerce stand-in in its own process for `npm run bench`, answering in about 0.2 s like a real shop. */
import { startWooCommerceStandIn } from '../test/helpers/woocommerce-stand-in';

startWooCommerceStandIn().then((shop) => {
  // test/fixtures/woocommerce/README.md: a real shop took 150–300 ms per REST call.
  shop.faults.add({ path: /./, fault: { kind: 'latency', ms: 200 }, count: Number.MAX_SAFE_INTEGER });
  console.log(JSON.stringify({ url: shop.url, consumerKey: shop.consumerKey, consumerSecret: shop.consumerSecret }));
});
