/**
 * The memory settings of ./apply-runtime-settings.ts and V8's `--optimize-for-size` (LEAN_NODE_FLAGS
 * in ./runtime-settings.ts): what the deployer's and the notifier's main.ts import first.
 */
import { applyRuntimeSettings, LEAN_NODE_FLAGS, NODE_FLAGS } from './runtime-settings';

applyRuntimeSettings({ ...NODE_FLAGS, ...LEAN_NODE_FLAGS });
