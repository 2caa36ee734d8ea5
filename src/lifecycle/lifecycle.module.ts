import { Global, Module } from '@nestjs/common';
import { ContentReaper } from './content-reaper.js';
import { ShutdownState } from './shutdown-state.js';

/** Process-wide state of start-up and shutdown, and the housekeeping that runs on timers. */
@Global()
@Module({
  providers: [ShutdownState, ContentReaper],
  exports: [ShutdownState, ContentReaper],
})
export class LifecycleModule {}
