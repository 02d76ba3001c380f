/**
 * Gathers what arrives in one turn of the event loop and hands it over at once. kafkajs starts the `eachBatch` of
 * every partition batch of a fetch in the same turn (its workers take them synchronously), so one fetch's batches
 * are handled together, in one transaction, rather than a transaction and its fixed costs per partition (ADR 0040).
 */
export class FetchGathering<Item, Result> {
  private waiting: { item: Item; settle: (result: Promise<Result>) => void }[] = [];

  constructor(private readonly handleAll: (items: Item[]) => Promise<Result[]>) {}

  /** Settles as `handleAll` settles for the items gathered with this one. */
  add(item: Item): Promise<Result> {
    if (this.waiting.length === 0) setImmediate(() => this.flush());
    return new Promise<Result>((resolve) => {
      this.waiting.push({ item, settle: resolve });
    });
  }

  private flush(): void {
    const gathered = this.waiting;
    this.waiting = [];
    const results = this.handleAll(gathered.map(({ item }) => item));
    gathered.forEach(({ settle }, index) => {
      settle(results.then((all) => all[index] as Result));
    });
  }
}
