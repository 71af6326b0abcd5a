using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Api.Infrastructure.Validation;

namespace Tracker.Tests.Platform;

/// <summary>
/// The JSON reader's refusals, said in the API's words (JsonReadProblems) from the reader's own messages, which name .NET
/// types and stop at the first problem of an object.
/// </summary>
public sealed class unreadable_bodies
{
    public sealed record TwoSwitches(bool Primary, bool Archived, string? Note = null);

    public sealed record Holder(string Name, TwoSwitches Switches);

    [Fact]
    public void every_required_field_the_reader_lists_is_named_not_only_the_first()
    {
        // Until 2026-12-06 the field map named "primary" alone, and the client heard of "archived" on its next try.
        var problem = ReadProblem<TwoSwitches>("{\"note\":\"n\"}", typeof(TwoSwitches));

        // A left-out field is a mistake in the request, not in how it is written (until 2026-12-06 "could not be read").
        problem.Title.ShouldBe("The request is not valid");
        ((Dictionary<string, string[]>)problem.Extensions["errors"]!).Keys.ShouldBe(["primary", "archived"], ignoreOrder: true);
        problem.Detail.ShouldBe("'primary': This field is required. 'archived': This field is required.");
    }

    [Fact]
    public void the_required_fields_of_a_nested_object_are_named_by_their_path()
    {
        var problem = ReadProblem<Holder>("{\"name\":\"n\",\"switches\":{}}", typeof(Holder));

        ((Dictionary<string, string[]>)problem.Extensions["errors"]!).Keys.ShouldBe(["switches.primary", "switches.archived"], ignoreOrder: true);
        problem.Detail.ShouldNotBeNull().ShouldNotContain("Tracker.");
    }

    public enum Precision { Day, OpenEnded }

    public sealed record Dated(string Title, Precision? Precision = null, IReadOnlyList<Precision>? Others = null, int? Version = null);

    [Theory]
    [InlineData("7.0")]
    [InlineData("7e0")]
    [InlineData("\"7\"")]
    public void a_whole_number_written_otherwise_is_said_to_need_one(string version)
    {
        // Until 2026-12-06 the message for any value of the wrong type, which never said "whole".
        var problem = ReadProblem<Dated>($"{{\"title\":\"t\",\"version\":{version}}}", typeof(Dated));

        problem.Detail.ShouldBe("'version': This value must be a whole number, written in digits alone (7, not 7.0 or 7e0).");
    }

    [Fact]
    public void a_wrong_enum_value_is_answered_with_the_values_the_field_takes()
    {
        // Until 2026-12-06 the message for any value of the wrong type.
        var problem = ReadProblem<Dated>("{\"title\":\"t\",\"precision\":\"quarter\"}", typeof(Dated));
        var inList = ReadProblem<Dated>("{\"title\":\"t\",\"others\":[\"day\",\"Month\"]}", typeof(Dated));

        problem.Detail.ShouldBe("'precision': This value must be one of: day, open-ended.");
        ((Dictionary<string, string[]>)inList.Extensions["errors"]!).ShouldContainKey("others[1]");
        inList.Detail.ShouldBe("'others[1]': This value must be one of: day, open-ended.");
    }

    private static JsonSerializerOptions Options()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        StrictJson.Apply(options);
        options.Converters.Add(new StrictEnums());
        return options;
    }

    private static ProblemDetails ReadProblem<T>(string json, Type body)
    {
        var options = Options();
        var refused = Should.Throw<JsonException>(() => JsonSerializer.Deserialize<T>(json, options));
        // As Wolverine answers a body it could not read, before the service's problem details rewrite it.
        var problem = new ProblemDetails { Status = 400, Title = "Invalid JSON format", Detail = refused.Message };
        JsonReadProblems.Rewrite(problem, body);
        return problem;
    }
}
