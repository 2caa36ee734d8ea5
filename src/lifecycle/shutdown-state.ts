import { Injectable } from '@nestjs/common';

/** Whether the process is draining for a shutdown: readiness answers 503 from that moment on. */
@Injectable()
export class ShutdownState {
  private drainingSince: Date | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  startDraining(): void {
    this.drainingSince ??= new Date();
  }
}
