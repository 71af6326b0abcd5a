using Tracker.Domain.Commitments;

namespace Tracker.Tests.Domain.Commitments;

/// <summary>A history list shared by successive states: every state keeps seeing exactly its own items.</summary>
public sealed class appending_to_a_history
{
    [Fact]
    public void each_version_keeps_its_own_items_while_later_ones_grow()
    {
        IReadOnlyList<int> read = new List<int> { 1, 2 };   // as a list comes back from JSON

        var three = read.Appended(3);
        var four = three.Appended(4);
        var many = Enumerable.Range(5, 100).Aggregate(four, (list, n) => list.Appended(n));

        read.ShouldBe([1, 2]);
        three.ShouldBe([1, 2, 3]);
        four.ShouldBe([1, 2, 3, 4]);
        many.Count.ShouldBe(104);
        many[103].ShouldBe(104);
    }

    [Fact]
    public void appending_to_an_older_version_branches_without_touching_the_newer_one()
    {
        var start = ((IReadOnlyList<string>)["stated"]).Appended("pledged");
        var oneWay = start.Appended("disbursed");

        var otherWay = start.Appended("corrected");

        oneWay.ShouldBe(["stated", "pledged", "disbursed"]);
        otherWay.ShouldBe(["stated", "pledged", "corrected"]);
        start.ShouldBe(["stated", "pledged"]);
        Should.Throw<ArgumentOutOfRangeException>(() => start[2]);
    }

    [Fact]
    public void versions_appended_from_many_threads_at_once_each_get_their_own_item()
    {
        var shared = ((IReadOnlyList<int>)[0]).Appended(1);

        var branches = Enumerable.Range(2, 64).AsParallel().Select(n => (n, list: shared.Appended(n))).ToList();

        branches.ShouldAllBe(b => b.list.Count == 3 && b.list[0] == 0 && b.list[1] == 1 && b.list[2] == b.n);
    }
}
