using System.Globalization;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Tests.Support;

namespace Tracker.Tests.Platform;

/// <summary>
/// Nodes of one cluster share one database, and each writes the schema's functions at its start: what it writes must not
/// depend on the machine's locale. The build switches ICU off, but DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=0 switches it
/// on again: until 2026-12-08 a node started so under sv_SE wrote "−1" (U+2212) into the rollups' trigger functions, and
/// every page of the asynchronous projections then failed on every node.
/// </summary>
public sealed class whatever_the_locale(TrackerApp app) : TrackerTest(app)
{
    private static CultureInfo SwedishNumbers()
    {
        // Made by hand: this test process has no ICU either.
        var swedish = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        swedish.NumberFormat.NegativeSign = "\u2212";
        swedish.NumberFormat.NumberDecimalSeparator = ",";
        swedish.NumberFormat.NumberGroupSeparator = "\u00a0";
        return swedish;
    }

    [Fact]
    public void the_rollups_functions_are_written_alike_under_any_locale_by_the_projections_themselves()
    {
        static string Written(CultureInfo culture)
        {
            var before = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = culture;
            try
            {
                var writer = new StringWriter();
                foreach (var definition in Tracker.Projections.Commitments.Rollup.DailyRollup.Define("tracker")
                             .Concat(Tracker.Projections.Commitments.Rollup.ScopedRollup.Define("tracker")))
                {
                    definition.WriteCreateStatement(new Weasel.Postgresql.PostgresqlMigrator(), writer);
                }
                return writer.ToString();
            }
            finally
            {
                CultureInfo.CurrentCulture = before;
            }
        }

        var written = Written(SwedishNumbers());
        written.ShouldContain(", -1, d.\"on\")");
        written.ShouldBe(Written(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task a_node_started_under_a_locale_that_writes_numbers_its_own_way_writes_the_same_schema()
    {
        var expected = Store.Storage.ToDatabaseScript();
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = SwedishNumbers();
        try
        {
            await using var node = await TrackerApp.StartAnotherHost();
            var written = node.Services.GetRequiredService<IDocumentStore>().Storage.ToDatabaseScript();

            written.ShouldNotContain("\u2212");
            written.ShouldBe(expected);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
