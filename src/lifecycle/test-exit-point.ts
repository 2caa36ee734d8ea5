import type { AppConfig } from '../config/app-config.js';

/** The points where a crash matters to consistency, named for CRM_FILES_TEST_EXIT_AT. */
export type TestExitPoint = 'after-content-move' | 'after-row-delete' | 'after-attach-commit';

/**
 * TEST ONLY. When CRM_FILES_TEST_EXIT_AT names this point, the process kills itself with SIGKILL
 * right here, as a crash would: the crash-consistency tests use it to stop a real process between
 * two steps that no outside timing can reach reliably. Unset (production), it does nothing.
 */
export function testExitPoint(config: AppConfig, point: TestExitPoint): void {
  if (config.testExitAt === point) process.kill(process.pid, 'SIGKILL');
}
