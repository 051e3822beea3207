package dev.tfblend.tune.sampler;

class TpeMultivariateSamplerTest extends SamplerContractTest {
  @Override
  protected Sampler newSampler(long seed) {
    return new TpeSampler(TpeSampler.Config.defaults(seed).withMultivariate(true));
  }
}
