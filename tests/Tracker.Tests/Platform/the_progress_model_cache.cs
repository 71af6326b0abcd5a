using JasperFx.Events.Fetching;
using Tracker.Api.Infrastructure;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;

namespace Tracker.Tests.Platform;

public sealed class the_progress_model_cache
{
    private static CommitmentProgress Model(int n) => CommitmentProgress.Started(Guid.NewGuid(),
        new CommitmentStated($"k-{n}", "t", CommitmentKind.Qualitative, "meetings", ["coalition"], null, null,
            new Provenance("washington-2024", null, "q"), new DateOnly(2024, 10, 2)),
        DateTimeOffset.UnixEpoch, n);

    private static AggregateCacheKey KeyOf(CommitmentProgress model) =>
        new(typeof(CommitmentProgress), "db", AggregateCacheKey.GlobalTenant, model.Id);

    [Fact]
    public void a_model_is_handed_out_once_at_the_version_it_was_committed_at()
    {
        var cache = new ProgressModelCache(10);
        var model = Model(1);
        cache.Store(KeyOf(model), model, model.Version);

        cache.TryTake(KeyOf(model), out var taken, out var version).ShouldBeTrue();
        taken.ShouldBeSameAs(model);
        version.ShouldBe(1);
        cache.TryTake(KeyOf(model), out _, out _).ShouldBeFalse("a second writer reads the stored model instead");
    }

    [Fact]
    public void the_model_as_it_was_before_a_write_is_not_kept_as_the_model_after_it()
    {
        var cache = new ProgressModelCache(10);
        var before = Model(1);

        cache.Store(KeyOf(before), before, version: 2);

        cache.TryTake(KeyOf(before), out _, out _).ShouldBeFalse();
    }

    [Fact]
    public void a_full_cache_starts_again_instead_of_sorting_out_what_to_evict()
    {
        var cache = new ProgressModelCache(3);
        var models = Enumerable.Range(1, 4).Select(Model).ToList();

        foreach (var model in models) cache.Store(KeyOf(model), model, model.Version);

        cache.TryTake(KeyOf(models[0]), out _, out _).ShouldBeFalse();
        cache.TryTake(KeyOf(models[3]), out var newest, out _).ShouldBeTrue();
        newest.ShouldBeSameAs(models[3]);
    }
}
