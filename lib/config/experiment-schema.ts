/**
 * The experiment config: one YAML file in `experiments/` describes a data set, the shared noise
 * schedule, the model zoo (the N networks a model schedule chooses from) and how they are trained,
 * sampled and profiled. Defaults are the paper's settings (method doc, section 2), so a file only
 * states what differs and every deviation is visible (and listed in `deviations`).
 *
 * Field checks live in the schema below; rules that relate several fields (a UNet that fits the
 * image size, GroupNorm groups that divide the channel counts, unique zoo ids, profile keys that
 * exist) live in `checkExperiment`.
 */
import { KitError } from '../util/errors';
import { resolvePath } from './overrides';
import {
  ConfigError,
  Infer,
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
  validate,
} from './schema-kit';
import { didYouMean } from './suggest';

// The data layer owns the list of data sets it can load; the schema accepts exactly those.
import { DATASET_NAMES, type DatasetName } from '../data/registry';
export { DATASET_NAMES, type DatasetName };

/** Colour channels of each data set as distributed; a mismatch is a config slip, not a choice. */
const NATIVE_CHANNELS: Record<DatasetName, number> = {
  mnist: 1,
  'fashion-mnist': 1,
  cifar10: 3,
  celeba: 3,
  'lsun-church': 3,
  imagenet64: 3,
};

/** Names of experiments, zoo members and profiles: they become file and folder names. */
const NAME = /[a-z0-9][a-z0-9_-]*/;
const ID = /[a-z0-9-]+/;

export const DatasetSchema = obj(
  {
    name: str({ oneOf: DATASET_NAMES, doc: 'which data set; mnist and fashion-mnist ship with the kit, the others need dataset.root' }),
    root: nullable(str({ doc: 'folder holding a paper data set (they cannot be downloaded here); null for the bundled ones' })),
    imageSize: int({ min: 1, doc: 'side length in pixels of the square training images' }),
    channels: int({ min: 1, max: 3, doc: '1 (grey) or 3 (RGB); must match the data set' }),
    validationFraction: num({ default: 0.1, gt: 0, lt: 1, doc: 'share of the training set held out for validation loss' }),
    splitSeed: int({ default: 0, min: 0, doc: 'seed of the train/validation split, fixed so every zoo member sees the same split' }),
    randomFlip: bool({ default: false, doc: 'random horizontal flips while training (the paper flips CIFAR-10, CelebA, LSUN, ImageNet)' }),
  },
  { doc: 'the training data' },
);

export const DiffusionSchema = obj(
  {
    timesteps: int({ default: 1000, min: 2, doc: 'number T of discrete diffusion steps; every zoo member shares it' }),
    betaSchedule: str({ default: 'linear', oneOf: ['linear'] as const, doc: 'noise schedule; the paper uses linear betas' }),
    betaStart: num({ default: 0.0001, gt: 0, lt: 1, doc: 'beta_1 of the linear schedule' }),
    betaEnd: num({ default: 0.02, gt: 0, lt: 1, doc: 'beta_T of the linear schedule' }),
  },
  { doc: 'the forward noising process, shared by the whole zoo (schedules mix models only if it is)' },
);

export const TrainingSchema = obj(
  {
    batchSize: int({ default: 128, min: 1, doc: 'images per training step (paper: 128)' }),
    microBatchSize: nullable(
      int({
        min: 1,
        doc: 'split each batch into chunks of this many images whose gradients are summed (same step, less memory); null = whole batch',
      }),
    ),
    iterations: int({ default: 800000, min: 1, doc: 'optimizer steps (paper: 800k)' }),
    learningRate: num({ default: 0.0002, gt: 0, doc: 'Adam learning rate (paper: 2e-4)' }),
    adamBeta1: num({ default: 0.9, min: 0, lt: 1, doc: 'Adam beta1' }),
    adamBeta2: num({ default: 0.999, min: 0, lt: 1, doc: 'Adam beta2' }),
    adamEps: num({ default: 1e-8, gt: 0, doc: 'Adam epsilon' }),
    gradClipNorm: nullable(num({ default: 1.0, gt: 0, doc: 'clip the global gradient norm to this value; null = no clipping' })),
    warmupSteps: int({
      default: 0,
      min: 0,
      doc: 'linear learning-rate warm-up steps; 0 = none (the released OMS-DPM configs have none, the original DDPM code used 5000)',
    }),
    lrDecay: str({
      default: 'constant',
      oneOf: ['constant', 'cosine'] as const,
      doc: 'learning-rate annealing over the run: constant (the paper) or cosine to zero at `iterations` (lib/diffusion/learning-rate.ts)',
    }),
    emaRate: num({ default: 0.9999, min: 0, lt: 1, doc: 'decay of the exponential moving average of the weights used for sampling' }),
    emaWarmup: bool({
      default: false,
      doc: 'EMA decay = min(rate, (1+step)/(10+step)); needed for short CPU-scale training, a deviation from the paper',
    }),
    seed: int({ default: 0, min: 0, doc: 'seed of weight initialisation, batch order and training noise' }),
    checkpointEvery: int({ default: 1000, min: 1, doc: 'save a resumable checkpoint every this many steps' }),
    snapshotEvery: nullable(
      int({
        min: 1,
        doc: "also keep the EMA weights of every this many steps (runs/<experiment>/zoo/<model>/snapshots/): the member's learning curve; null = none",
      }),
    ),
    logEvery: int({ default: 50, min: 1, doc: 'report the training loss every this many steps' }),
  },
  { doc: 'how each zoo member is trained (a member may override any key)' },
);

export const UNetSchema = obj(
  {
    ch: int({ min: 1, doc: 'base channel count; the width of the network' }),
    chMult: list(int({ min: 1, doc: 'channel multiplier of one resolution level' }), {
      minLength: 1,
      doc: 'channels of each resolution level as multiples of ch; the image is halved between levels',
    }),
    numResBlocks: int({ default: 1, min: 1, doc: 'residual blocks per resolution level; the depth of the network' }),
    attnResolutions: list(int({ min: 1, doc: 'a resolution in pixels' }), {
      default: [],
      doc: 'resolutions (pixels) whose levels get self-attention; must be imageSize / 2^k for a level k',
    }),
    dropout: num({ default: 0.1, min: 0, lt: 1, doc: 'dropout rate inside residual blocks (paper: 0.1, LSUN 0)' }),
    groupNormGroups: int({ default: 8, min: 1, doc: 'GroupNorm groups; must divide every channel count ch * m' }),
    resamplingConv: bool({ default: true, doc: 'use a 3x3 convolution when down- and upsampling (DDPM default)' }),
  },
  { doc: 'the DDPM/DDIM UNet of one zoo member' },
);

export const ZooMemberSchema = obj(
  {
    id: str({ pattern: ID, doc: 'short unique name of the model, used in schedules, logs and file names' }),
    unet: UNetSchema,
    training: partial(TrainingSchema, { doc: 'per-model overrides of any training.* key (e.g. iterations)' }),
  },
  { doc: 'one network of the model zoo' },
);

export const SamplingSchema = obj(
  {
    batchSize: int({ default: 128, min: 1, doc: 'batch of latency profiling and sample generation; costs are per batch' }),
    noiseBankSeed: int({ default: 1234, min: 0, doc: 'seed of the fixed x_T bank shared by every schedule (paired comparisons)' }),
    clipDenoised: bool({
      default: true,
      doc: 'clip the predicted x0 to [-1, 1] each step; keeps under-trained models from diverging',
    }),
  },
  { doc: 'how images are generated from a schedule' },
);

export const FidSchema = obj(
  {
    featureNetwork: str({
      default: 'label-classifier',
      doc: "'label-classifier' (a CNN trained on the dataset's labels; offline datasets) or the folder of a TF.js-converted InceptionV3 (model.json)",
    }),
    classifierEpochs: int({ default: 3, min: 1, doc: 'training epochs of the label classifier' }),
    classifierSeed: int({ default: 0, min: 0, doc: 'seed of the label classifier' }),
    classifierImages: nullable(int({ min: 64, doc: 'training-split images the label classifier trains on (null = all of them)' })),
    referenceImages: nullable(int({ min: 2, doc: 'training-split images used for the reference statistics (null = all of them)' })),
    images: int({ default: 1000, min: 2, doc: 'generated images per FID of a schedule (paper: 5000; 1000 is the fast default)' }),
  },
  { doc: 'how FID is computed: feature network, reference statistics, image counts' },
);

export const CollectionSchema = obj(
  {
    ddimLength: int({ default: 100, min: 1, doc: 'DDIM schedule length L of the dataset (official: 100 for CIFAR-10, 200 for CelebA)' }),
    dpmSolverLength: int({ default: 60, min: 3, doc: 'DPM-Solver schedule length 3K of the dataset (official: 60)' }),
    dirichletAlpha: num({ default: 0.4, gt: 0, doc: 'concentration of the per-schedule model preference (official 0.4)' }),
    nullProbability: num({ default: 0.8, min: 0, lt: 1, doc: 'probability that a position is the null model (official 0.8)' }),
    seed: int({ default: 0, min: 0, doc: 'seed of the random schedules (schedule i depends only on seed and i)' }),
    trainRatio: num({ default: 0.5, gt: 0, lt: 1, doc: 'share of records in the predictor training split (official 0.5)' }),
    splitSeed: int({ default: 0, min: 0, doc: 'seed of the train/validation assignment, drawn once per record and stored with it' }),
    workers: int({ default: 2, min: 1, doc: 'worker processes scoring schedules in parallel' }),
    count: int({ default: 1000, min: 4, doc: 'records per solver that `npm run reproduce` collects' }),
    strategy: str({
      default: 'random',
      oneOf: ['random', 'active'] as const,
      doc: "how the training-split schedules are chosen: random (every record from the random distribution, the official dataset) or active (a random start, then rounds that score where an ensemble of predictors, searched over the front's budget grid, points: lib/active/; `oms-dpm collect --strategy active`). Validation records are the same random draws either way. An active dataset is its own file, schedule-fid-<solver>.active.jsonl, which later stages read when this says active",
    }),
    active: obj(
      {
        ensembleSize: int({ default: 5, min: 1, doc: 'predictors K of the ensemble, each trained on its own bootstrap resample of the training-split records (BANANAS uses 5)' }),
        initialRecords: int({ default: 25, min: 4, doc: 'training-split records drawn at random (the random strategy\'s own draws) before the first round; the validation records are all drawn then too' }),
        perRound: int({ default: 25, min: 1, doc: 'new training-split records chosen and scored per round; the ensemble is retrained before each round' }),
        acquisition: str({
          default: 'thompson',
          oneOf: ['thompson', 'lcb'] as const,
          doc: "how the ensemble chooses: thompson (each pick: a random member, its search's best unscored schedule at the next budget of the grid; scale-free, as each member only ranks) or lcb (one search on mean - std of the members' scores, each standardised on the records it trained on)",
        }),
        epochs: nullable(int({ min: 1, doc: "training epochs of each member (null = predictor.epochs); the other predictor.* settings apply as they are" })),
        trainingProcesses: int({ default: 2, min: 1, doc: 'members trained at once, each in a child process (1 = one after another in the collecting process); the members are the same either way' }),
      },
      { doc: "active collection (collection.strategy: active): the predictor ensemble and its rounds" },
    ),
    queue: nullable(
      str({
        pattern: /^(redis|rediss|unix):\/\/\S+$/,
        doc: 'BullMQ queue on Redis (redis://HOST:PORT or unix:///path/redis.sock) that collect, front and reproduce send their scoring jobs to, scored by `oms-dpm worker` processes on any machine; null = the local worker pool. --queue and OMS_DPM_QUEUE take precedence. Not part of the config hash',
      }),
    ),
  },
  { doc: 'the schedule-FID dataset (method doc section 4)' },
);

export const PredictorSchema = obj(
  {
    epochs: int({ default: 1000, min: 1, doc: 'training epochs (official 1000)' }),
    batchSize: int({ default: 512, min: 2, doc: 'schedules per batch (official 512)' }),
    learningRate: num({ default: 0.001, gt: 0, doc: 'Adam learning rate (official 1e-3)' }),
    loss: str({ default: 'ranking', oneOf: ['ranking', 'mse'] as const, doc: "'ranking' (pairwise hinge, official) or 'mse'" }),
    evalEvery: int({ default: 50, min: 1, doc: 'epochs between Kendall tau evaluations (official 50)' }),
    selectionFraction: num({
      default: 0.2,
      gt: 0,
      lt: 1,
      doc: 'share of the training-split records held back to choose the checkpoint (the predictor trains on the rest), so the validation tau is not chosen on itself; the official code chooses on validation',
    }),
    seed: int({ default: 0, min: 0, doc: 'seed of the weights, batch order, pair subsets and the selection part' }),
  },
  { doc: 'the schedule-FID ranking predictor (method doc section 5)' },
);

export const SearchSchema = obj(
  {
    generations: int({ default: 1000, min: 1, doc: 'evolution generations (official 1000; 500 for CelebA)' }),
    populationSize: int({ default: 40, min: 2, doc: 'population kept each generation (official 40)' }),
    childrenPerGeneration: int({ default: 40, min: 1, doc: 'children made each generation (official 40)' }),
    mutationAttempts: int({ default: 200, min: 1, doc: 'mutation attempts per generation (official 200)' }),
    seed: int({ default: 0, min: 0, doc: 'seed of the search' }),
    rerankTopK: int({ default: 10, min: 1, doc: 'schedules of the final population re-scored with real FID (official 10)' }),
    rerankImages: int({ default: 5000, min: 2, doc: 'images of the re-ranking FID (official 5000)' }),
    finalImages: int({ default: 50000, min: 2, doc: 'held-out images on which every front pick (and the zoo\'s sample quality) is reported (official: 50000 for the winner\'s final FID)' }),
    finalImagesStart: int({
      default: 100000,
      min: 0,
      doc: 'first noise-bank image of the held-out set [finalImagesStart, finalImagesStart + finalImages); must lie past every selection image (fid.images, search.rerankImages)',
    }),
    bootstrapResamples: int({ default: 500, min: 200, doc: 'bootstrap resamples (over held-out images) of every reported FID interval and paired FID difference' }),
  },
  { doc: 'the predictor-based evolutionary search and re-ranking (method doc section 6)' },
);

export const FrontSchema = obj(
  {
    budgetCount: int({ default: 8, min: 1, doc: 'budgets of the default grid (geometric from lowNfe NFEs of the cheapest model to highNfe of the dearest)' }),
    lowNfe: int({ default: 3, min: 1, doc: 'the smallest budget: this many NFEs of the cheapest model' }),
    highNfe: int({ default: 20, min: 1, doc: 'the largest budget: this many NFEs of the dearest model' }),
    randomCount: int({ default: 10, min: 1, doc: 'random schedules per budget (mean and best of n)' }),
    singleModelNfes: nullable(list(int({ min: 1, doc: 'an NFE' }), { minLength: 1, doc: 'NFEs of the single-model baseline (null = the default grid)' })),
    twoSegmentNfes: nullable(list(int({ min: 2, doc: 'an NFE' }), { minLength: 1, doc: 'NFEs of the two-segment baseline (null = the default grid)' })),
    splitFractions: list(num({ gt: 0, lt: 1, doc: 'a split point' }), { default: [0.25, 0.5, 0.75], minLength: 1, doc: 'two-segment split points as fractions of the steps' }),
    rerankTrusted: int({ default: 2, min: 0, doc: "OMS-DPM's re-rank also scores this many best-predicted schedules of the search that lie inside the training records' support (NFE range, model mix: lib/front/record-support.ts); 0 = the official top-k only" }),
    rerankRecords: int({ default: 2, min: 0, doc: "OMS-DPM's re-rank also scores this many lowest-FID training records that fit the budget (measured, not predicted); 0 = the official top-k only" }),
    supportEnsemble: int({
      default: 5,
      min: 0,
      doc: "members of the support ensemble: predictors trained like active collection's members (collection.active.epochs, trainingProcesses at a time) on bootstrap resamples of the training split, kept under runs/ and reused while the records and settings are the same. Their disagreement on a schedule (the standard deviation over the members of its score standardised against each member's scores of the training records) joins NFE range and model mix in the records' support: a schedule is inside only when the spread is at most the validation records' median (lib/front/ensemble-spread.ts). 0 = off (NFE range and model mix only); else at least 2",
    }),
    search: str({
      default: 'whole-front',
      oneOf: ['per-budget', 'whole-front'] as const,
      doc: "how OMS-DPM's picks are searched: whole-front (one NSGA-II run answers every budget of the grid, sharing the predictor's scores, then polishes each budget: lib/search/front-search.ts; search.generations x the number of budgets generations, the per-budget loop's total, for about its predictor work: 40,182 schedules scored against 47,147 on the mnist zoo's latencies with a synthetic score) or per-budget (the official search, one run per budget); both with the search.* settings. On a synthetic oracle with a known optimum the whole-front picks are nearer it at every budget (test/search/front-vs-per-budget.test.ts)",
    }),
  },
  { doc: "the FID-vs-cost front (the paper's Fig. 1): budgets and baseline grids" },
);

export const ObservationSchema = obj(
  {
    ddimNfes: list(int({ min: 1, doc: 'an NFE' }), { default: [2, 4, 6, 10, 20], minLength: 1, doc: 'NFEs of the single-model DDIM curves (FID vs NFE per zoo model)' }),
    dpmSolverNfes: list(int({ min: 1, doc: 'an NFE' }), { default: [3, 6, 10, 15], minLength: 1, doc: 'NFEs of the single-model DPM-Solver curves' }),
    switchNfe: int({ default: 10, min: 1, doc: 'NFE of the small-then-large and large-then-small DDIM switch curves (k = 0..NFE)' }),
  },
  { doc: "the paper's first observation (oms-dpm observe): FID vs NFE of every zoo model, and where a small/large switch pays" },
);

export const ValidationLossSchema = obj(
  {
    images: int({ default: 1024, min: 2, doc: 'validation-split images of the held-out loss (`oms-dpm validation-loss`, the reproduce stage); at most the split\'s size' }),
  },
  { doc: "the zoo's held-out denoising loss and image-mean (DC) error (lib/zoo/validation-loss.ts)" },
);

export const SampleQualitySchema = obj(
  {
    ddimSteps: list(int({ min: 1, doc: 'DDIM steps (NFEs)' }), {
      default: [10, 50],
      minLength: 1,
      doc: 'steps of the single-model DDIM runs of `oms-dpm sample-quality`: every zoo model at each, sampled on the held-out noise-bank images (search.finalImagesStart, search.finalImages); the zoo table shows the 50-step run (else the longest)',
    }),
  },
  { doc: 'how recognisable each zoo model\'s samples are (oms-dpm sample-quality): share confidently classified, class balance, mean intensity outside the real range' },
);

export const StorageSchema = obj(
  {
    weights: str({
      default: 'float32',
      oneOf: ['float32', 'float16'] as const,
      doc:
        "precision of the weight files the kit commits under results/: the zoo's ema-weights.bin, the predictors' predictor.bin and the FID feature-net.bin (lib/diffusion/tensor-file.ts). float32 stores them exactly; float16 (IEEE binary16, round to nearest even) halves them. " +
        'With float16 every later stage uses the rounded weights as read back from the file, never the unrounded ones the producer trained (its sample grid, the feature network\'s accuracy and reference statistics, the predictor\'s taus and predictions all come from the stored values), so committed results reproduce from the committed files. ' +
        'Training checkpoints (runs/) stay float32, so --resume stays exact. float32 is left out of the config hash, so results made before this key existed stay current',
    }),
  },
  { doc: 'how the committed weight files are stored' },
);

export const ExperimentSchema = obj({
  name: str({ pattern: NAME, doc: "the experiment's name; must equal the file's base name" }),
  description: str({ default: '', doc: 'free text shown by the CLI; not part of the config hash' }),
  dataset: DatasetSchema,
  diffusion: DiffusionSchema,
  training: TrainingSchema,
  zoo: list(ZooMemberSchema, {
    minLength: 1,
    doc: 'the model zoo; order gives the model index 1..N used in schedules (0 = null model)',
  }),
  sampling: SamplingSchema,
  fid: FidSchema,
  collection: CollectionSchema,
  predictor: PredictorSchema,
  search: SearchSchema,
  front: FrontSchema,
  observation: ObservationSchema,
  validationLoss: ValidationLossSchema,
  sampleQuality: SampleQualitySchema,
  storage: StorageSchema,
  profiles: record(record(unknownValue({ doc: 'the value to set' }), { doc: 'dotted key -> value' }), {
    keyPattern: NAME,
    default: {},
    doc: "named override sets, e.g. smoke: { training.iterations: 20 }; 'default' (no overrides) is implicit",
  }),
  deviations: list(str({ doc: 'one deviation' }), {
    default: [],
    doc: 'every deviation from the paper, stated in words; not part of the config hash',
  }),
});

export type ExperimentConfig = Infer<typeof ExperimentSchema>;
export type DatasetConfig = Infer<typeof DatasetSchema>;
export type DiffusionConfig = Infer<typeof DiffusionSchema>;
export type TrainingConfig = Infer<typeof TrainingSchema>;
export type UNetConfig = Infer<typeof UNetSchema>;
export type ZooMember = Infer<typeof ZooMemberSchema>;
export type SamplingConfig = Infer<typeof SamplingSchema>;
export type FidConfig = Infer<typeof FidSchema>;
export type CollectionConfig = Infer<typeof CollectionSchema>;
export type PredictorTrainingConfig = Infer<typeof PredictorSchema>;
export type SearchConfig = Infer<typeof SearchSchema>;
export type SampleQualityConfig = Infer<typeof SampleQualitySchema>;
export type StorageConfig = Infer<typeof StorageSchema>;

/** The profile that applies no overrides; reserved, so a file cannot define it. */
export const DEFAULT_PROFILE = 'default';

/** Options of the cross-field checks. */
export interface CheckOptions {
  /** The file's base name, which `name` must equal. */
  expectedName?: string;
  /**
   * Check that every profile key resolves (default true). Off once a profile has been applied:
   * the profiles are then history, and a `--set` that renames a zoo member must not break them.
   */
  checkProfiles?: boolean;
}

/** Validates a parsed experiment file (or a config after overrides) and applies the cross-field rules. */
export function validateExperiment(value: unknown, opts: CheckOptions = {}): ExperimentConfig {
  const cfg = validate(ExperimentSchema, value);
  checkExperiment(cfg, opts);
  return cfg;
}

/** The rules that relate several fields. Throws a ConfigError at the most specific key. */
export function checkExperiment(cfg: ExperimentConfig, opts: CheckOptions = {}): void {
  if (opts.expectedName !== undefined && cfg.name !== opts.expectedName) {
    throw new ConfigError(['name'], `'${cfg.name}' must equal the file's base name '${opts.expectedName}'`, {
      hint: `set name: ${opts.expectedName}, or rename the file to ${cfg.name}.yaml`,
    });
  }

  const native = NATIVE_CHANNELS[cfg.dataset.name];
  if (cfg.dataset.channels !== native) {
    throw new ConfigError(['dataset', 'channels'], `${cfg.dataset.name} has ${native} channel(s), got ${cfg.dataset.channels}`);
  }

  if (cfg.diffusion.betaStart > cfg.diffusion.betaEnd) {
    throw new ConfigError(
      ['diffusion', 'betaStart'],
      `betaStart ${cfg.diffusion.betaStart} must not exceed betaEnd ${cfg.diffusion.betaEnd}`,
    );
  }

  const seen = new Map<string, number>();
  cfg.zoo.forEach((m, i) => {
    const first = seen.get(m.id);
    if (first !== undefined) {
      throw new ConfigError(['zoo', i, 'id'], `duplicate id '${m.id}' (also zoo[${first}].id)`, {
        hint: 'zoo ids name the models in schedules and must be unique',
      });
    }
    seen.set(m.id, i);
    checkUNet(m.unet, cfg.dataset.imageSize, ['zoo', i, 'unet']);
  });

  // A spread over one member is always 0: the setting would look on and measure nothing.
  if (cfg.front.supportEnsemble === 1) {
    throw new ConfigError(['front', 'supportEnsemble'], 'one member cannot disagree with itself, so its ensemble spread is always 0', {
      hint: 'set front.supportEnsemble to 0 (no spread: NFE range and model mix only) or to 2 or more members (the default is 5)',
    });
  }

  // Held-out images report what selection images chose: the two ranges must not share an image.
  const selectionEnd = Math.max(cfg.fid.images, cfg.search.rerankImages);
  if (cfg.search.finalImagesStart < selectionEnd) {
    throw new ConfigError(
      ['search', 'finalImagesStart'],
      `held-out images start at noise-bank image ${cfg.search.finalImagesStart}, inside the selection images 0..${selectionEnd - 1} (fid.images ${cfg.fid.images}, search.rerankImages ${cfg.search.rerankImages})`,
      { hint: `set search.finalImagesStart to ${selectionEnd} or more, so that no held-out image played a part in collection, re-ranking or a baseline's choice` },
    );
  }

  if (opts.checkProfiles === false) return;
  for (const [profile, entries] of Object.entries(cfg.profiles)) {
    if (profile === DEFAULT_PROFILE) {
      throw new ConfigError(['profiles', profile], `'${DEFAULT_PROFILE}' is reserved: it means "no overrides"`);
    }
    for (const key of Object.keys(entries)) {
      try {
        resolvePath(ExperimentSchema, cfg, key);
      } catch (e) {
        if (e instanceof KitError) throw new ConfigError(['profiles', profile, key], e.message, { hint: e.hint });
        throw e;
      }
    }
  }
}

/** Resolutions (pixels) of the UNet's levels: imageSize / 2^k for k < chMult.length. */
export function unetResolutions(unet: UNetConfig, imageSize: number): number[] {
  return unet.chMult.map((_, k) => imageSize / 2 ** k);
}

/** Every channel count a GroupNorm sees: ch (stem, output) and ch * m per level. */
export function unetChannelCounts(unet: UNetConfig): number[] {
  return [unet.ch, ...unet.chMult.map((m) => unet.ch * m)];
}

function checkUNet(unet: UNetConfig, imageSize: number, path: (string | number)[]): void {
  const downsamples = unet.chMult.length - 1;
  const factor = 2 ** downsamples;
  if (imageSize % factor !== 0) {
    throw new ConfigError(
      [...path, 'chMult'],
      `${unet.chMult.length} levels halve the image ${downsamples} time(s), so dataset.imageSize must be divisible by ${factor}; ${imageSize} is not`,
      { hint: 'use fewer levels in chMult or a different imageSize' },
    );
  }

  const resolutions = unetResolutions(unet, imageSize);
  unet.attnResolutions.forEach((r, j) => {
    if (!resolutions.includes(r)) {
      throw new ConfigError(
        [...path, 'attnResolutions', j],
        `${r} is not a resolution of this UNet; with imageSize ${imageSize} and ${unet.chMult.length} levels they are ${resolutions.join(', ')}`,
      );
    }
  });

  const counts = unetChannelCounts(unet);
  const g = unet.groupNormGroups;
  const bad = counts.find((c) => c % g !== 0);
  if (bad !== undefined) {
    const common = counts.reduce(gcd);
    const ok = divisors(common);
    throw new ConfigError(
      [...path, 'groupNormGroups'],
      `${g} does not divide channel count ${bad} (channel counts ${[...new Set(counts)].join(', ')}); allowed: ${ok.join(', ')}`,
    );
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/** The zoo member with this id; a KitError with a suggestion if there is none. */
export function zooMember(cfg: ExperimentConfig, modelId: string): ZooMember {
  const m = cfg.zoo.find((z) => z.id === modelId);
  if (m === undefined) {
    const ids = cfg.zoo.map((z) => z.id);
    throw new KitError(`no model '${modelId}' in the zoo of '${cfg.name}'${didYouMean(modelId, ids)}`, {
      hint: `zoo ids: ${ids.join(', ')}`,
    });
  }
  return m;
}

/** The 1-based index of a zoo member in model schedules (0 is the null model). */
export function modelIndex(cfg: ExperimentConfig, modelId: string): number {
  return cfg.zoo.indexOf(zooMember(cfg, modelId)) + 1;
}

/** The training settings of one zoo member: the global `training` with the member's overrides. */
export function resolveModelTraining(cfg: ExperimentConfig, modelId: string): TrainingConfig {
  const member = zooMember(cfg, modelId);
  // Only keys actually present override (a hand-built config may carry `key: undefined`).
  const own = Object.fromEntries(Object.entries(member.training).filter(([, v]) => v !== undefined));
  return { ...cfg.training, ...own };
}
