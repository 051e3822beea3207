package dev.tfblend.tune.sampler;

class RandomSamplerTest extends SamplerContractTest {
  @Override
  protected Sampler newSampler(long seed) {
    return new RandomSampler(seed);
  }
}
