import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './api-key.guard.js';
import type { AuthenticatedUser } from './authenticated-user.js';

/** The parameter decorator for the authenticated user of the request, as set by ApiKeyGuard. */
export const AuthUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => context.switchToHttp().getRequest<AuthenticatedRequest>().user,
);
