/**
 * Chooses the TF.js backend the kit trains and samples with, and records the choice.
 *
 * Order (first that loads wins): tfjs-node-gpu ('tensorflow' backend on CUDA), tfjs-node
 * ('tensorflow' on CPU), then WASM, which always works because its .wasm files ship inside the npm
 * package. The pure-JS `cpu` backend is about 30x slower than WASM and is only used when forced
 * (tests use it as the numerical reference). `OMS_DPM_BACKEND=auto|tensorflow|wasm|cpu` forces one.
 */
import * as tf from '@tensorflow/tfjs';
import { KitError } from '../util/errors';
import { installForwardConvGradients } from './conv-gradients';
import { installSharedIdentityKernels } from './wasm-shared-identity';
import { installTransposingMatMul } from './wasm-transposing-matmul';

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** What was chosen, why, and with which package versions; stored with every result. */
export interface BackendInfo {
  backend: string;
  package: string;
  version: string;
  device: string;
  reason: string;
  tried: { package: string; error: string }[];
}

let current: BackendInfo | null = null;

function packageVersion(name: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/**
 * Loads a tfjs-node package and checks that it really registered the native 'tensorflow' backend.
 * (The data-frame library's install aliases `@tensorflow/tfjs-node` to tfjs-core, which loads but
 * registers nothing; a failed native install also leaves a package that throws on require.)
 */
function tryNative(pkg: string): string | null {
  let realName: string;
  try {
    realName = (require(`${pkg}/package.json`) as { name: string }).name;
  } catch {
    return 'not installed';
  }
  if (realName !== pkg) return `not installed (the name is an alias of ${realName})`;
  try {
    require(pkg);
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
  if (!tf.findBackendFactory('tensorflow')) return `${pkg} loaded but registered no 'tensorflow' backend`;
  return null;
}

function parseChoice(raw: string | undefined): BackendChoice {
  const v = (raw ?? 'auto').trim().toLowerCase() || 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(v)) {
    throw new KitError(`OMS_DPM_BACKEND=${raw} is not a backend this kit knows`, {
      hint: `use one of: ${BACKEND_CHOICES.join(', ')}`,
    });
  }
  return v as BackendChoice;
}

/**
 * Initialises TF.js once per process and returns the choice. `choice` defaults to the
 * OMS_DPM_BACKEND environment variable, then 'auto'.
 */
export async function initBackend(choice?: BackendChoice): Promise<BackendInfo> {
  const want = choice ?? parseChoice(process.env.OMS_DPM_BACKEND);
  if (current && (want === 'auto' || current.backend === want)) return current;
  installForwardConvGradients();
  const tried: BackendInfo['tried'] = [];

  if (want === 'auto' || want === 'tensorflow') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      const err = tryNative(pkg);
      if (err === null && (await tf.setBackend('tensorflow'))) {
        await tf.ready();
        current = {
          backend: 'tensorflow',
          package: pkg,
          version: packageVersion(pkg),
          device: pkg.endsWith('-gpu') ? 'cuda' : 'cpu',
          reason: want === 'auto' ? `${pkg} loaded` : 'forced by OMS_DPM_BACKEND',
          tried,
        };
        return current;
      }
      tried.push({ package: pkg, error: err ?? 'setBackend(tensorflow) failed' });
    }
    if (want === 'tensorflow') {
      throw new KitError('OMS_DPM_BACKEND=tensorflow but neither tfjs-node-gpu nor tfjs-node loads', {
        hint: `install @tensorflow/tfjs-node-gpu (needs internet and CUDA) or unset OMS_DPM_BACKEND. Tried: ${tried
          .map((t) => `${t.package}: ${t.error}`)
          .join('; ')}`,
      });
    }
  }

  if (want === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    current = { backend: 'cpu', package: '@tensorflow/tfjs', version: tf.version_core, device: 'cpu', reason: 'forced by OMS_DPM_BACKEND', tried };
    return current;
  }

  require('@tensorflow/tfjs-backend-wasm');
  installSharedIdentityKernels();
  installTransposingMatMul();
  if (!(await tf.setBackend('wasm'))) {
    throw new KitError('the TF.js WASM backend failed to initialise', {
      hint: 'reinstall @tensorflow/tfjs-backend-wasm (npm ci); its .wasm files must be in node_modules',
    });
  }
  await tf.ready();
  current = {
    backend: 'wasm',
    package: '@tensorflow/tfjs-backend-wasm',
    version: packageVersion('@tensorflow/tfjs-backend-wasm'),
    device: 'cpu (1 thread, SIMD)',
    reason: want === 'wasm' ? 'forced by OMS_DPM_BACKEND' : 'no tfjs-node package loads (see tried)',
    tried,
  };
  return current;
}

/** The backend chosen by `initBackend`, or an error if none was. */
export function backendInfo(): BackendInfo {
  if (!current) throw new Error('initBackend() has not run');
  return current;
}

/** Versions of the packages whose behaviour a result depends on. */
export function packageVersions(): Record<string, string> {
  const names = [
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-node-gpu',
    'onnxruntime-node',
    'danfojs-node',
    'plotly.js-dist',
    'tslab',
    'yaml',
  ];
  const out: Record<string, string> = { node: process.version };
  for (const n of names) out[n] = packageVersion(n);
  return out;
}
