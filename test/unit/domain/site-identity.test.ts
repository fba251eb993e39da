import { checkRequestingSite, normalizeSiteUrl } from '../../../relay/src/domain/site-identity';

describe('site identity (a staging copy cannot use the live shop relay)', () => {
  test.each([
    ['https://Shop.example/', 'https://shop.example'],
    ['https://shop.example:443', 'https://shop.example'],
    ['http://shop.example:8080/wp/', 'http://shop.example:8080/wp'],
    ['https://shop.example/?x=1#y', 'https://shop.example'],
  ])('%s is the site %s', (given, expected) => {
    expect(normalizeSiteUrl(given)).toBe(expected);
  });

  test.each(['', 'shop.example', 'ftp://shop.example', 'javascript:alert(1)'])('%j is not a site address', (given) => {
    expect(normalizeSiteUrl(given)).toBeNull();
  });

  test('the same site in another spelling passes', () => {
    expect(checkRequestingSite('https://shop.example', 'https://SHOP.example/')).toEqual({ ok: true });
  });

  test.each([
    ['https://staging.shop.example', 'this relay serves https://shop.example; this site is https://staging.shop.example'],
    ['http://shop.example', 'this relay serves https://shop.example; this site is http://shop.example'],
    ['https://shop.example/staging', 'this relay serves https://shop.example; this site is https://shop.example/staging'],
  ])('%s is another site, and the message names both', (requesting, sentence) => {
    const check = checkRequestingSite('https://shop.example', requesting);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.code).toBe('site_mismatch');
      expect(check.message.startsWith(sentence)).toBe(true);
    }
  });

  test.each([null, undefined, '  '])('a request that does not say which site it is from (%j) is refused', (requesting) => {
    expect(checkRequestingSite('https://shop.example', requesting)).toMatchObject({ ok: false, code: 'site_url_missing' });
  });
});
