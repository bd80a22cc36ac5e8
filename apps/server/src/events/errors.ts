/** The message of anything thrown, for log lines and error frames that add their own context. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
