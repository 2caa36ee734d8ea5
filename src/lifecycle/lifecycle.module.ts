import { Global, Module } from '@nestjs/common';
import { ShutdownState } from './shutdown-state.js';

/** Process-wide state of start-up and shutdown (draining), read by readiness and the shutdown handler. */
@Global()
@Module({
  providers: [ShutdownState],
  exports: [ShutdownState],
})
export class LifecycleModule {}
