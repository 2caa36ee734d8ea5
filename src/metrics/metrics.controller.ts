import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { MetricsService } from './metrics.service.js';

/** Prometheus scrapes this without an API key: block it at the edge (load balancer, ingress). */
@ApiTags('Operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Metrics',
    description:
      'Prometheus text format: requests and latency by method, route template and status; bytes uploaded and downloaded; ' +
      'database pool use; rate-limit rejections and Redis failures; idempotent replays; webhook deliveries. No API key: ' +
      'keep this route away from the public internet.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The metrics.', content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    reply.type(this.metrics.contentType);
    return this.metrics.exposition();
  }
}
