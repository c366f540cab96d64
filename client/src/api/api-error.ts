/** One problem the API reported; `field` names the input it is about. */
export interface ApiProblem {
  message: string;
  field?: string;
  code?: string;
}

/** A non-2xx answer: its status and the API's `errors` list, for forms to show beside their fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problems: ApiProblem[],
    readonly body: unknown,
  ) {
    super(problems.map((problem) => problem.message).join('; ') || `Request failed (${status})`);
  }

  /** The message for one field, if the API named it. */
  forField(field: string): string | undefined {
    return this.problems.find((problem) => problem.field === field)?.message;
  }

  /** Messages that belong to no field of the form at hand. */
  general(fields: readonly string[]): string[] {
    return this.problems
      .filter((problem) => !problem.field || !fields.includes(problem.field))
      .map((problem) => problem.message);
  }
}
