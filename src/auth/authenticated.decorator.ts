import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiKeyGuard } from './api-key.guard.js';

export const API_KEY_SECURITY = 'apiKey';

/** Requires an API key (the guard), and documents that requirement in the OpenAPI document. */
export const Authenticated = () => applyDecorators(UseGuards(ApiKeyGuard), ApiSecurity(API_KEY_SECURITY));
