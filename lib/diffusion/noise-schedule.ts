/**
 * The discrete-time DDPM noise schedule shared by every zoo member (method doc §2):
 * T steps, linear betas from beta_start to beta_end, alpha_bar_t = prod_{s<=t} (1 - beta_s).
 * Index t = 0..T-1 is also the network's time input during training.
 */
export interface DiscreteSchedule {
  timesteps: number;
  betas: Float64Array;
  /** alpha_bar_t, length T */
  alphasCumprod: Float64Array;
}

export function linearBetaSchedule(timesteps: number, betaStart: number, betaEnd: number): DiscreteSchedule {
  if (!Number.isInteger(timesteps) || timesteps < 1) throw new Error(`timesteps must be a positive integer, got ${timesteps}`);
  const betas = new Float64Array(timesteps);
  const alphasCumprod = new Float64Array(timesteps);
  let prod = 1;
  for (let i = 0; i < timesteps; i++) {
    // numpy.linspace(beta_start, beta_end, T): endpoints exact.
    betas[i] = timesteps === 1 ? betaStart : betaStart + ((betaEnd - betaStart) * i) / (timesteps - 1);
    prod *= 1 - betas[i];
    alphasCumprod[i] = prod;
  }
  return { timesteps, betas, alphasCumprod };
}

/** The schedule an experiment's `diffusion` section describes. */
export function scheduleFromConfig(d: { timesteps: number; betaSchedule: string; betaStart: number; betaEnd: number }): DiscreteSchedule {
  if (d.betaSchedule !== 'linear') throw new Error(`unknown betaSchedule '${d.betaSchedule}'; allowed: linear`);
  return linearBetaSchedule(d.timesteps, d.betaStart, d.betaEnd);
}
