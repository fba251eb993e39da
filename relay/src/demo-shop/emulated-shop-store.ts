/** One order as the emulated shop keeps it; the REST JSON is built from this (see emulated-shop.ts). */
export interface EmulatedOrderRecord {
  id: number;
  status: string;
  currency: string;
  /** Decimal string, as WooCommerce stores and sends it ("19.99"). */
  total: string;
  paymentMethod: string;
  paymentMethodTitle: string;
  transactionId: string;
  orderKey: string;
  email: string;
  firstName: string;
  lastName: string;
  country: string;
  /** Site-local times without zone, like WooCommerce's `date_*` fields ("2026-11-27T07:53:43"). */
  dateCreated: string;
  dateModified: string;
  datePaid: string | null;
  dateCompleted: string | null;
}

export interface EmulatedNoteRecord {
  id: number;
  orderId: number;
  note: string;
  customerNote: boolean;
  author: string;
  dateCreated: string;
}

export interface EmulatedRefundRecord {
  id: number;
  orderId: number;
  /** Positive decimal string ("5.00"). */
  amount: string;
  reason: string;
  refundedPayment: boolean;
  dateCreated: string;
}

/**
 * Plain persistence for the emulated shop: no WooCommerce rules live here. Synchronous, because better-sqlite3 is,
 * which lets one REST call's writes happen in one `transaction`.
 */
export interface EmulatedShopStore {
  /** Orders and refunds share one id sequence, as posts do in WordPress (so order ids are not contiguous). */
  allocatePostId(): number;
  insertOrder(order: EmulatedOrderRecord): void;
  saveOrder(order: EmulatedOrderRecord): void;
  getOrder(id: number): EmulatedOrderRecord | null;
  /** Newest first. */
  listOrders(limit: number, offset: number): EmulatedOrderRecord[];
  countOrders(): number;
  insertNote(note: Omit<EmulatedNoteRecord, 'id'>): EmulatedNoteRecord;
  /** In insertion order. */
  listNotes(orderId: number): EmulatedNoteRecord[];
  insertRefund(refund: EmulatedRefundRecord): void;
  deleteRefund(refundId: number): void;
  /** In insertion order. */
  listRefunds(orderId: number): EmulatedRefundRecord[];
  transaction<T>(fn: () => T): T;
}

/** For the test stand-in: everything in memory, gone with the process. */
export function createInMemoryShopStore(opts: { firstPostId?: number; firstNoteId?: number } = {}): EmulatedShopStore {
  const orders = new Map<number, EmulatedOrderRecord>();
  const notes: EmulatedNoteRecord[] = [];
  const refunds: EmulatedRefundRecord[] = [];
  let nextPostId = opts.firstPostId ?? 14;
  let nextNoteId = opts.firstNoteId ?? 101;
  return {
    allocatePostId: () => nextPostId++,
    insertOrder: (order) => void orders.set(order.id, { ...order }),
    saveOrder: (order) => void orders.set(order.id, { ...order }),
    getOrder: (id) => {
      const order = orders.get(id);
      return order ? { ...order } : null;
    },
    listOrders: (limit, offset) => [...orders.values()].sort((a, b) => b.id - a.id).slice(offset, offset + limit).map((o) => ({ ...o })),
    countOrders: () => orders.size,
    insertNote: (note) => {
      const record = { ...note, id: nextNoteId++ };
      notes.push(record);
      return { ...record };
    },
    listNotes: (orderId) => notes.filter((n) => n.orderId === orderId).map((n) => ({ ...n })),
    insertRefund: (refund) => void refunds.push({ ...refund }),
    deleteRefund: (refundId) => {
      const index = refunds.findIndex((r) => r.id === refundId);
      if (index >= 0) refunds.splice(index, 1);
    },
    listRefunds: (orderId) => refunds.filter((r) => r.orderId === orderId).map((r) => ({ ...r })),
    // Single-threaded and synchronous: nothing can interleave, so running the function is already atomic.
    transaction: (fn) => fn(),
  };
}
