import type { ApiError } from '../api/api-error';

/** The API's message for one field, tied to its input by id for screen readers. */
export function FieldError({ id, error, field }: { id: string; error: unknown; field: string }) {
  const message = (error as ApiError | null)?.forField?.(field);
  if (!message) return null;
  return (
    <p id={id} className="field-error" role="alert">
      {message}
    </p>
  );
}

/** The API's messages that belong to no field of the form. */
export function FormError({ error, fields }: { error: unknown; fields: readonly string[] }) {
  if (!error) return null;
  const messages =
    typeof (error as ApiError).general === 'function'
      ? (error as ApiError).general(fields)
      : [error instanceof Error ? error.message : String(error)];
  if (messages.length === 0) return null;
  return (
    <div className="form-error" role="alert">
      {messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}
