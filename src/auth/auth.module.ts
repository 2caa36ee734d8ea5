import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKey } from './entities/api-key.entity.js';
import { RateLimiter } from './rate-limiter.js';

/** Global so that every feature module can use @Authenticated() without importing it. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ApiKey]), UsersModule],
  providers: [ApiKeysService, RateLimiter, ApiKeyGuard],
  exports: [ApiKeysService, RateLimiter, ApiKeyGuard],
})
export class AuthModule {}
