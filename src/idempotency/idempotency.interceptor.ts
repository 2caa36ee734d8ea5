import { createHash } from 'node:crypto';
import { HttpException, Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { ApiError, InvalidRequestError } from '../common/errors/api-error.js';
import { ProblemDetailsFilter } from '../common/errors/problem-details.filter.js';
import type { ProblemBody } from '../common/errors/problem.js';
import { STREAMED_BODY } from '../common/http/streamed-body.decorator.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { IdempotencyRecord } from './entities/idempotency-record.entity.js';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError, ReplayedProblem } from './idempotency-errors.js';
import { IdempotencyStore } from './idempotency.store.js';
import { collectUploadedParts, readUploadedParts, requestFingerprint, takeUploadedParts } from './request-fingerprint.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** 1 to 255 visible ASCII characters. */
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency-Key on a POST that creates something (see Idempotent()). Runs after the API key
 * guard, so keys are scoped to the caller's API key. The first request with a key leaves a
 * marker; its answer, if below 500, is stored and replayed to every retry with the same request
 * for 24 hours; a different request with the key is 422, and any request while the first still
 * runs is 409. After a 5xx, the key is free again.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly problems = new ProblemDetailsFilter();

  constructor(
    private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthenticatedUser }>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (header === undefined || !request.user) return next.handle();
    if (typeof header !== 'string' || !VALID_KEY.test(header)) {
      throw new InvalidRequestError('Idempotency-Key must be 1 to 255 visible ASCII characters.', [
        { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters (no spaces)' },
      ]);
    }
    const streamed = this.reflector.get<boolean>(STREAMED_BODY, context.getHandler()) === true;
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? 201;
    const keyHash = createHash('sha256').update(header).digest('hex');
    // A JSON body is known now; an upload's only once it has streamed in.
    const knownHash = streamed ? null : requestFingerprint(request, { json: request.body });

    return from(this.store.claim(request.user.apiKeyId, keyHash, knownHash, this.config.stagingMaxAgeMs)).pipe(
      mergeMap((claim) => {
        if (claim.kind === 'running') return throwError(() => new IdempotencyKeyInUseError());
        if (claim.kind === 'answered') return from(this.replay(request, reply, claim.record, knownHash));
        if (streamed) collectUploadedParts(request);
        return next.handle().pipe(
          mergeMap((body) => from(this.finish(claim.id, request, knownHash, status, JSON.stringify(body))).pipe(mergeMap(() => of(body)))),
          catchError((error: unknown) =>
            from(this.finishWithError(claim.id, request, knownHash, error)).pipe(mergeMap(() => throwError(() => error))),
          ),
        );
      }),
    );
  }

  private async replay(
    request: FastifyRequest,
    reply: FastifyReply,
    record: IdempotencyRecord,
    knownHash: string | null,
  ): Promise<unknown> {
    const requestHash = knownHash ?? requestFingerprint(request, { parts: await readUploadedParts(request) });
    if (requestHash !== record.requestHash) throw new IdempotencyKeyReusedError();
    this.metrics.idempotentReplays.inc();
    const body: unknown = JSON.parse(record.responseBody ?? 'null');
    if (record.responseStatus! >= 400) throw new ReplayedProblem(body as ProblemBody);
    reply.header('Idempotent-Replayed', 'true');
    return body;
  }

  private async finish(id: number, request: FastifyRequest, knownHash: string | null, status: number, body: string): Promise<void> {
    const requestHash = knownHash ?? this.uploadHash(request);
    if (requestHash === null) return this.store.release(id);
    await this.store.complete(id, requestHash, status, body);
  }

  private async finishWithError(id: number, request: FastifyRequest, knownHash: string | null, error: unknown): Promise<void> {
    const status = statusOf(error);
    const requestHash = knownHash ?? this.uploadHash(request);
    try {
      if (status >= 500 || requestHash === null) {
        await this.store.release(id);
      } else {
        await this.store.complete(id, requestHash, status, JSON.stringify(this.problems.toProblem(error, request).body));
      }
    } catch {
      // The database failed too: the marker expires on its own (see IdempotencyStore.claim).
    }
  }

  /** An upload's fingerprint, or null when it failed before its body was read to the end. */
  private uploadHash(request: FastifyRequest): string | null {
    const parts = takeUploadedParts(request);
    return parts === null ? null : requestFingerprint(request, { parts });
  }
}

function statusOf(error: unknown): number {
  if (error instanceof ApiError) return error.status;
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}
