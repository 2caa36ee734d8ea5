/**
 * Responses that disagreed with the OpenAPI document during the current test. Filled by the
 * supertest plugin of test-app.ts, emptied and turned into a failure after each test (setup.ts).
 */
export const contractViolations: string[] = [];

export function takeContractViolations(): string[] {
  return contractViolations.splice(0, contractViolations.length);
}
