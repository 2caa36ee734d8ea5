import 'reflect-metadata';
import { afterEach } from 'vitest';
import { takeContractViolations } from './contract-violations.js';

// Every HTTP answer a test received must be one the OpenAPI document describes.
afterEach(() => {
  const violations = takeContractViolations();
  if (violations.length > 0) {
    throw new Error(`Responses disagree with the OpenAPI document:\n  ${violations.join('\n  ')}`);
  }
});
