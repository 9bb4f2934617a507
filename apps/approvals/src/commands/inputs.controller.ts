import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { Subjects } from '@app/contracts';
import type {
  BranchDeleted,
  BuildCompleted,
  CloseRequested,
  DeploymentFailed,
  DeploymentSucceeded,
  KeepRequested,
  RollbackRequested,
  PreviewTornDown,
  PromoteRequested,
  QaVerdict,
} from '@app/contracts';
import { BuildInputsService } from './build-inputs.service';
import { Handled } from './command-path';

/**
 * The INPUTS stream's handlers. Payloads arrive validated by the transport; a handler
 * resolves once the events are committed, and only then is the message acked.
 */
@Controller()
export class InputsController {
  private readonly logger = new Logger('Inputs');

  constructor(private readonly inputs: BuildInputsService) {}

  @EventPattern<string>(Subjects.BuildCompleted)
  async onBuildCompleted(@Payload() input: BuildCompleted): Promise<void> {
    // The build id is made here, at the edge; a redelivery finds the request already handled.
    this.log(input, await this.inputs.buildCompleted(input, randomUUID()));
  }

  @EventPattern<string>(Subjects.QaVerdict)
  async onQaVerdict(@Payload() input: QaVerdict): Promise<void> {
    this.log(input, await this.inputs.qaVerdict(input));
  }

  @EventPattern<string>(Subjects.PromoteRequested)
  async onPromoteRequested(@Payload() input: PromoteRequested): Promise<void> {
    this.log(input, await this.inputs.promoteRequested(input));
  }

  @EventPattern<string>(Subjects.CloseRequested)
  async onCloseRequested(@Payload() input: CloseRequested): Promise<void> {
    this.log(input, await this.inputs.closeRequested(input));
  }

  @EventPattern<string>(Subjects.KeepRequested)
  async onKeepRequested(@Payload() input: KeepRequested): Promise<void> {
    this.log(input, await this.inputs.keepRequested(input));
  }

  @EventPattern<string>(Subjects.RollbackRequested)
  async onRollbackRequested(@Payload() input: RollbackRequested): Promise<void> {
    this.log(input, await this.inputs.rollbackRequested(input));
  }

  @EventPattern<string>(Subjects.BranchDeleted)
  async onBranchDeleted(@Payload() input: BranchDeleted): Promise<void> {
    this.log(input, await this.inputs.branchDeleted(input));
  }

  @EventPattern<string>(Subjects.DeploymentSucceeded)
  async onDeploymentSucceeded(@Payload() input: DeploymentSucceeded): Promise<void> {
    this.log(input, await this.inputs.deploymentSucceeded(input));
  }

  @EventPattern<string>(Subjects.DeploymentFailed)
  async onDeploymentFailed(@Payload() input: DeploymentFailed): Promise<void> {
    this.log(input, await this.inputs.deploymentFailed(input));
  }

  @EventPattern<string>(Subjects.PreviewTornDown)
  async onPreviewTornDown(@Payload() input: PreviewTornDown): Promise<void> {
    this.log(input, await this.inputs.previewTornDown(input));
  }

  private log(input: { id: string; type: string; correlationId: string }, handled: Handled): void {
    const base = { input: input.id, type: input.type, correlationId: input.correlationId };
    if (handled.kind === 'duplicate') this.logger.log({ msg: 'input already handled; nothing to do', ...base });
    else
      this.logger.log({
        msg: 'input handled',
        ...base,
        outcome: handled.note,
        events: handled.events.map((e) => `${e.type}@${e.streamId}#${e.version}`),
      });
  }
}
