import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { register } from 'prom-client';
import { ReadinessRegistry } from './readiness';

/** Liveness, readiness and Prometheus metrics; the same on every service. */
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  /** Alive: the process answers. Never checks dependencies (a NATS outage must not get us killed). */
  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready: every dependency this service needs is usable; 503 otherwise. */
  @Get('readyz')
  async readyz(
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ): Promise<{ status: string; checks: Record<string, 'up' | 'down'>; states?: Record<string, string> }> {
    const result = await this.readiness.evaluate();
    res.status(result.ready ? 200 : 503); // Express's response and Fastify's reply alike
    const states = this.readiness.shownStates();
    return { status: result.ready ? 'ready' : 'not ready', checks: result.checks, ...(Object.keys(states).length ? { states } : {}) };
  }

  @Get('metrics')
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
