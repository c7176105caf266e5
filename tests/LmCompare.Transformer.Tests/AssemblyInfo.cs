// Torch's default random generator is one per process: manual_seed in one test class and weight initialisation or
// sampling in another would interleave if xUnit ran the classes in parallel, so a seeded test could see another's
// draws (seen in CI: two models created with seed 3 differed). The transformer tests therefore run one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
