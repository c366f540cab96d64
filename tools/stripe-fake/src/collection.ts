import { StripeError } from './stripe-error';

/** The stored objects of one kind, in creation order, looked up the way Stripe reports a missing id. */
export class Collection<T extends { id: string }> {
  private readonly byId = new Map<string, T>();

  /**
   * @param objectName as Stripe's "No such ..." message spells it, e.g. `payment_intent`
   * @param idParam the `param` Stripe names when the id in the URL is unknown
   */
  constructor(
    private readonly objectName: string,
    private readonly idParam = 'id',
  ) {}

  add(object: T): T {
    this.byId.set(object.id, object);
    return object;
  }

  find(id: string): T | undefined {
    return this.byId.get(id);
  }

  get(id: string): T {
    const object = this.byId.get(id);
    if (object === undefined) throw StripeError.resourceMissing(this.objectName, id, this.idParam);
    return object;
  }

  all(): T[] {
    return [...this.byId.values()];
  }

  clear(): void {
    this.byId.clear();
  }
}
