// Shared by the SASL and SCRAM unit tests.
import { expect } from "vitest";
import { SaslError } from "../../src/xmpp/sasl";

/** Awaits `promise`, which must reject with a SaslError of `condition` (RFC 6120 §6.5); returns that error. */
export async function expectSaslError(promise: Promise<unknown>, condition: string): Promise<SaslError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SaslError);
  expect((err as SaslError).condition).toBe(condition);
  return err as SaslError;
}
