import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError, UnauthorizedError } from '../common/errors/api-error.js';
import { ApiKeysService } from './api-keys.service.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { RateLimiter } from './rate-limiter.js';

export type AuthenticatedRequest = FastifyRequest & { user: AuthenticatedUser };

/** Missing, malformed, unknown and revoked keys all get the same 401. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const user = await this.apiKeys.authenticate(request.headers.authorization);
    if (!user) throw new UnauthorizedError();
    // Known before the limit is checked, so that a 429 is logged with its tenant and user.
    request.user = user;
    const decision = await this.rateLimiter.take(user.apiKeyId);
    if (decision) {
      context
        .switchToHttp()
        .getResponse<FastifyReply>()
        .header('X-RateLimit-Limit', String(decision.limit))
        .header('X-RateLimit-Remaining', String(decision.remaining))
        .header('X-RateLimit-Reset', String(decision.resetAt));
      if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
    }
    return true;
  }
}
