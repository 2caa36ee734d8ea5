import { Global, Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeysService } from './api-keys.service.js';
import { RateLimiter } from './rate-limiter.js';

/** Global so that every feature module can use @Auth() without importing it. */
@Global()
@Module({
  providers: [ApiKeysService, RateLimiter, ApiKeyGuard],
  exports: [ApiKeysService, RateLimiter, ApiKeyGuard],
})
export class AuthModule {}
