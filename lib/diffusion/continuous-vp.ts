/**
 * The continuous-time linear VP noise schedule that DPM-Solver uses for discrete DDPMs trained on
 * linear betas (method doc §3; Song et al. 2021, Lu et al. 2022). With beta(t) = beta_0 + t (beta_1 - beta_0),
 * t in [0, T = 1]:
 *
 *   log alpha_t = -(beta_1 - beta_0) t^2 / 4 - beta_0 t / 2
 *   sigma_t     = sqrt(1 - alpha_t^2)
 *   lambda_t    = log alpha_t - log sigma_t            (half the log signal-to-noise ratio)
 *
 * lambda_t is strictly decreasing in t, and its inverse t(lambda) has a closed form (a quadratic
 * in t). beta_0 = 0.1, beta_1 = 20 is the continuous limit of the T = 1000 linear betas
 * 1e-4 .. 0.02 (beta_n ≈ beta(t) / T at t = n / T), so alpha_t^2 ≈ alpha_bar_n for t = (n + 1) / T.
 *
 * A network trained on discrete indices n = 0..T-1 is called at continuous time t with the input
 * T * max(t - 1/T, 0) ("type-1" discrete label of DPM-Solver's appendix): t = 1/T maps to n = 0
 * and t = 1 to n = T - 1.
 */

/** Parameters of a linear VP schedule. */
export interface ContinuousVpOptions {
  /** beta(0); default 0.1. */
  beta0?: number;
  /** beta(1); default 20. */
  beta1?: number;
  /** N, the number of discrete steps the network was trained on (time-input mapping); default 1000. */
  totalN?: number;
}

/** softplus(x) = log(1 + e^x), without overflow for large |x|. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export class ContinuousVpSchedule {
  /** The end of the diffusion time interval: t in [0, T]. */
  readonly T = 1;
  readonly beta0: number;
  readonly beta1: number;
  readonly totalN: number;

  constructor(options: ContinuousVpOptions = {}) {
    this.beta0 = options.beta0 ?? 0.1;
    this.beta1 = options.beta1 ?? 20;
    this.totalN = options.totalN ?? 1000;
    if (!(this.beta0 > 0) || !(this.beta1 > this.beta0)) {
      throw new Error(`linear VP schedule needs 0 < beta_0 < beta_1, got beta_0 = ${this.beta0}, beta_1 = ${this.beta1}`);
    }
    if (!Number.isInteger(this.totalN) || this.totalN < 2) {
      throw new Error(`linear VP schedule: totalN must be an integer >= 2, got ${this.totalN}`);
    }
  }

  /**
   * The continuous limit of T discrete linear betas from betaStart to betaEnd:
   * beta_0 = T * betaStart, beta_1 = T * betaEnd (T = 1000, 1e-4..0.02 gives 0.1..20).
   */
  static fromDiscrete(timesteps: number, betaStart: number, betaEnd: number): ContinuousVpSchedule {
    return new ContinuousVpSchedule({ beta0: timesteps * betaStart, beta1: timesteps * betaEnd, totalN: timesteps });
  }

  /** log alpha_t = -(beta_1 - beta_0) t^2 / 4 - beta_0 t / 2. */
  logAlpha(t: number): number {
    return -0.25 * t * t * (this.beta1 - this.beta0) - 0.5 * t * this.beta0;
  }

  /** alpha_t, the signal coefficient of x_t = alpha_t x_0 + sigma_t eps. */
  alpha(t: number): number {
    return Math.exp(this.logAlpha(t));
  }

  /** sigma_t = sqrt(1 - alpha_t^2). */
  sigma(t: number): number {
    return Math.sqrt(-Math.expm1(2 * this.logAlpha(t)));
  }

  /** log sigma_t, accurate for small t where sigma_t -> 0. */
  logSigma(t: number): number {
    return 0.5 * Math.log(-Math.expm1(2 * this.logAlpha(t)));
  }

  /** lambda_t = log alpha_t - log sigma_t. */
  lambda(t: number): number {
    return this.logAlpha(t) - this.logSigma(t);
  }

  /**
   * t(lambda), the inverse of lambda_t. From alpha_t^2 = 1 / (1 + e^{-2 lambda}):
   * (beta_1 - beta_0) t^2 / 4 + beta_0 t / 2 = softplus(-2 lambda) / 2, whose positive root is
   * t = 2 (beta_1 - beta_0) s / ((sqrt(beta_0^2 + 2 (beta_1 - beta_0) s) + beta_0) (beta_1 - beta_0)),
   * s = softplus(-2 lambda) (written without cancellation for small t).
   */
  inverseLambda(lambda: number): number {
    const d = this.beta1 - this.beta0;
    const s = softplus(-2 * lambda);
    const tmp = 2 * d * s;
    return tmp / (Math.sqrt(this.beta0 * this.beta0 + tmp) + this.beta0) / d;
  }

  /** The network's time input for continuous time t: N * max(t - 1/N, 0) (N = totalN). */
  modelTimeInput(t: number): number {
    return this.totalN * Math.max(t - 1 / this.totalN, 0);
  }
}

/** The schedule of the paper and the official code: beta_0 = 0.1, beta_1 = 20, N = 1000. */
export const LINEAR_VP = new ContinuousVpSchedule();
