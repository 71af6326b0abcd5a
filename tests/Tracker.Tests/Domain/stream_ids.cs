using Tracker.Domain;

namespace Tracker.Tests.Domain;

public sealed class stream_ids
{
    [Fact]
    public void the_same_key_always_addresses_the_same_stream()
    {
        StreamIds.ForDocument("washington-2024").ShouldBe(StreamIds.ForDocument("washington-2024"));
    }

    [Fact]
    public void keys_differing_only_in_case_address_the_same_stream_and_a_surrounding_space_another()
    {
        StreamIds.ForDocument("Washington-2024").ShouldBe(StreamIds.ForDocument("washington-2024"));
        StreamIds.ForDocument(" washington-2024 ").ShouldNotBe(StreamIds.ForDocument("washington-2024"));
    }

    [Fact]
    public void a_document_and_a_commitment_may_share_a_key_without_sharing_a_stream()
    {
        StreamIds.ForDocument("rome-2021").ShouldNotBe(StreamIds.ForCommitment("rome-2021"));
    }

    [Fact]
    public void stream_ids_are_version_5_uuids()
    {
        var id = StreamIds.ForCommitment("stabilisation-394m").ToString();

        id[14].ShouldBe('5');
        "89ab".ShouldContain(id[19]);
    }

    [Theory]
    [InlineData("washington-2024", true)]
    [InlineData("a", true)]
    [InlineData("Washington-2024", false)]
    [InlineData("two  words", false)]
    [InlineData("double--hyphen", false)]
    [InlineData("-leading", false)]
    [InlineData("", false)]
    public void keys_are_slugs(string key, bool valid)
    {
        Keys.IsSlug(key).ShouldBe(valid);
    }
}
