import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Subjects, type BuildEvent } from '@app/contracts';
import { NotificationFlows } from './notification.flows';

/**
 * The notifier listens to approvals' domain events only (stream EVENTS), so what Slack shows
 * follows the event log. Payloads arrive validated by the transport; a thrown error means
 * "retry later", a PermanentError "dead-letter now". `LateOutcomeRecorded` (audit only, it
 * shows nothing) has no handler: the transport acknowledges it unread.
 */
@Controller()
export class BuildEventsController {
  constructor(@Inject(NotificationFlows) private readonly flows: NotificationFlows) {}

  @EventPattern<string>(Subjects.BuildRegistered)
  onBuildRegistered(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.PreviewDeploymentRequested)
  onPreviewDeploymentRequested(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.PreviewDeployed)
  onPreviewDeployed(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.PreviewDeploymentFailed)
  onPreviewDeploymentFailed(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.QaApproved)
  onQaApproved(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.QaRejected)
  onQaRejected(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.BuildApproved)
  onBuildApproved(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.ProductionDeploymentRequested)
  onProductionDeploymentRequested(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.ProductionDeployed)
  onProductionDeployed(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.ProductionDeploymentFailed)
  onProductionDeploymentFailed(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.BuildClosed)
  onBuildClosed(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.BuildSuperseded)
  onBuildSuperseded(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.PreviewTeardownRequested)
  onPreviewTeardownRequested(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.PreviewRemoved)
  onPreviewRemoved(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.PreviewTeardownFailed)
  onPreviewTeardownFailed(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }

  @EventPattern<string>(Subjects.ActionDenied)
  onActionDenied(@Payload() event: BuildEvent) {
    return this.flows.handle(event);
  }
}
