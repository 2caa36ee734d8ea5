import { Global, Module } from '@nestjs/common';
import { ShutdownState } from './shutdown-state.js';

/** Process-wide state of start-up and shutdown, and the housekeeping that runs on timers. */
@Global()
@Module({
  providers: [ShutdownState],
  exports: [ShutdownState],
})
export class LifecycleModule {}
