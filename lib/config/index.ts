/**
 * The configuration layer: a typed schema DSL, the experiment schema, dotted-path overrides, and
 * the loader that resolves `experiments/<name>.yaml` + profile + `--set` into one hashed config.
 */
export {
  ConfigError,
  describeSchema,
  formatPath,
  schemaEntries,
  typeName,
  validate,
  bool,
  int,
  list,
  nullable,
  num,
  obj,
  partial,
  record,
  str,
  unknownValue,
} from './schema-kit';
export type { AnySchema, Fields, Infer, NumOptions, ObjSchema, PartialSchema, Path, PathSegment, Schema, SchemaEntry } from './schema-kit';

export {
  DATASET_NAMES,
  DEFAULT_PROFILE,
  DatasetSchema,
  DiffusionSchema,
  ExperimentSchema,
  SamplingSchema,
  FidSchema,
  CollectionSchema,
  PredictorSchema,
  SearchSchema,
  TrainingSchema,
  UNetSchema,
  ZooMemberSchema,
  checkExperiment,
  modelIndex,
  resolveModelTraining,
  unetChannelCounts,
  unetResolutions,
  validateExperiment,
  zooMember,
} from './experiment-schema';
export type {
  CheckOptions,
  DatasetConfig,
  DatasetName,
  DiffusionConfig,
  ExperimentConfig,
  SamplingConfig,
  FidConfig,
  CollectionConfig,
  PredictorTrainingConfig,
  SearchConfig,
  TrainingConfig,
  UNetConfig,
  ZooMember,
} from './experiment-schema';

export {
  applyOverrides,
  formatAssignment,
  parseAssignment,
  profileOverrides,
  resolvePath,
  setPath,
  tokenizePath,
} from './overrides';
export type { Override, ResolvedPath } from './overrides';

export { UNHASHED_KEYS, canonicalJson, configHash, hashOf, storedWeightsKey } from './hash';
export {
  experimentFile,
  experimentSource,
  experimentToYaml,
  experimentsDir,
  listExperiments,
  loadExperiment,
  loadExperimentSource,
  repoRoot,
} from './load';
export type { ExperimentSource, LoadOptions, ResolvedExperiment } from './load';
export { closest, didYouMean, editDistance } from './suggest';
