/** The recall policy engine: documents, presets, scopes and decisions. Pure: no I/O, no clock. */
export {
  PolicyDocumentSchema,
  contentTypes,
  formatPolicyError,
  maxFiniteWindowSeconds,
  maxLabelLength,
  moderatorRoles,
  placeholderModes,
  policyProblem,
  policyProblemCodes,
  presetNames,
  validatePolicyDocument,
} from './document.js';
export type {
  BoundedFeature,
  ContentType,
  EffectivePolicy,
  KindWindows,
  ModeratorRole,
  PlaceholderMode,
  PolicyDocument,
  PolicyError,
  PolicyProblemCode,
  PolicyProblemParams,
  PolicyValidation,
  PresetName,
  Window,
} from './document.js';
export { defaultPolicy, presets } from './presets.js';
export { BoundsSchema, applyDocument, checkConversationPolicy, noBounds, resolvePolicy } from './resolve.js';
export type { Bounds, PolicyScopes } from './resolve.js';
export { decideRecall, recallOptions } from './decide.js';
export type {
  RecallBasis,
  RecallCapacity,
  RecallContext,
  RecallDecision,
  RecallDenialCode,
  RecallFacts,
  RecallInput,
  RecallOption,
  RecallOptions,
} from './decide.js';
export { closesAt, senderWindow, withinWindow } from './window.js';
export { consentStep, mayDecideConsent } from './consent.js';
export type { ConsentAction, ConsentStep } from './consent.js';
