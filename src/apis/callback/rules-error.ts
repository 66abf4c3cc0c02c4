/** A reply rule the checker refused, naming the rule; apart from the checker so configuration can know it without loading it. */
export class RulesError extends Error {
  constructor(readonly rule: string, problem: string) {
    super(`${rule} ${problem}`);
    this.name = 'RulesError';
  }
}
