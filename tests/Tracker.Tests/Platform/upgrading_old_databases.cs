using System.IO.Compression;
using System.Text.Json;
using Alba;
using Marten.Events;
using Npgsql;
using Tracker.Api.Admin;
using Tracker.Api.Audit;
using Tracker.Tests.Support;

namespace Tracker.Tests.Platform;

/// <summary>
/// Databases written by earlier versions of the service, as they were (Upgrades/*.sql.gz: `pg_dump --inserts` of the
/// tracker schema, the catalogue and a monitor's history recorded through that version's API), brought up to this one
/// the way an operator does: the schema applied by its owner (what `db-apply` runs), then the service started on them.
/// Until 2026-12-07 neither of these could be upgraded: the migration failed on the first commitment with
/// "record "old" has no field "title"" (2026-12-01) or "column r.pledger_key does not exist" (2026-12-02).
/// </summary>
[Collection(TrackerCollection.Name)]
public sealed class upgrading_old_databases
{
    public sealed record OldModel(string Key, decimal Pledged, decimal Committed, decimal Disbursed, int PledgeCount);

    [Theory]
    // 2026-12-01: the models had none of the list's columns, and there was no effective timeline yet.
    [InlineData("tracker-97df008", 40, false)]
    // 2026-12-02: the pledge rows had no pledger key, nor their place among the pledger's; the timelines' keyframes held
    // targets and deadlines without the day each took effect.
    [InlineData("tracker-4d0bdf2", 54, true)]
    public async Task a_database_of_an_earlier_version_upgrades_and_keeps_every_figure(string dump, int commitments, bool olderTimelines)
    {
        var database = $"upgrade_{dump.Replace('-', '_')}";
        var owner = new NpgsqlConnectionStringBuilder(TestDatabase.OwnerConnectionString()) { Database = database };
        var service = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString()) { Database = database, Pooling = false };
        owner.Pooling = false;
        await AsSuperuser($"drop database if exists {database} with (force)");
        await AsSuperuser($"create database {database} owner {owner.Username}");
        try
        {
            var before = await RestoredAsOwner(owner.ConnectionString, dump);
            before.Count.ShouldBe(commitments);

            // db-apply: the schema brought to this version by its owner (Development's start with the owner's connection
            // applies it whole, as the command does), and the models kept by older rules built again.
            await using (await TrackerApp.StartAnotherHost(("ConnectionStrings:Tracker", owner.ConnectionString),
                             ("Database:ApplySchemaOnStart", "true")))
            {
            }

            await using var host = await TrackerApp.StartAnotherHost(("ConnectionStrings:Tracker", service.ConnectionString));
            await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
            foreach (var old in before)
            {
                var now = (await host.Scenario(s => s.Get.Url($"/api/commitments/{old.Key}"))).ReadAsJson<JsonElement>();
                var money = now.GetProperty("money");
                new OldModel(now.GetProperty("key").GetString()!, money.GetProperty("pledged").GetDecimal(),
                        money.GetProperty("committed").GetDecimal(), money.GetProperty("disbursed").GetDecimal(),
                        now.GetProperty("pledgeCount").GetInt32())
                    .ShouldBe(old);
            }
            foreach (var model in new[] { "CommitmentProgress", "DashboardRollup" })
            {
                // (The rollup, asynchronous, counts the upgraded models once its daemon has taken in the log.)
                var report = await ReadModels.Eventually.Until(
                    async () => (await host.Scenario(s => s.Get.Url($"/api/admin/projections/{model}/verify"))).ReadAsJson<ProjectionCheckReport>()!,
                    check => check.Consistent, TimeSpan.FromSeconds(60));
                report.Consistent.ShouldBeTrue($"{model}: {string.Join(", ", report.Differing.Concat(report.Missing).Concat(report.Unexpected))}");
            }
            // The timelines stored by rules before models said theirs are named as such, not as drift (until 2026-12-07
            // every one after an upgrade, with no word of why), and are folded again at their next change.
            var timeline = (await host.Scenario(s => s.Get.Url("/api/admin/projections/EffectiveTimeline/verify")))
                .ReadAsJson<ProjectionCheckReport>()!;
            timeline.Differing.ShouldBeEmpty();
            (timeline.KeptByOlderRules is { Count: > 0 }).ShouldBe(olderTimelines);
            timeline.Consistent.ShouldBe(!olderTimelines);
            var log = (await host.Scenario(s => s.Get.Url("/api/audit/verify"))).ReadAsJson<VerificationReport>()!;
            log.Breaks.ShouldBeEmpty();

            // And it takes new facts: a pledge on an old commitment counts with those before it.
            var pledger = before.First(c => c.PledgeCount > 0);
            await host.Scenario(s =>
            {
                s.Post.Json(new
                {
                    pledger = "Norway", amount = new { amount = 1_000_000m, currency = "USD" }, announcedOn = "2024-10-02",
                    exchangeRate = new { rate = 1m, on = "2024-10-02" },
                    source = new { url = "https://example.org/after-the-upgrade", primary = true }
                }).ToUrl($"/api/commitments/{pledger.Key}/pledges");
                s.StatusCodeShouldBe(201);
            });
            (await host.Scenario(s => s.Get.Url($"/api/commitments/{pledger.Key}"))).ReadAsJson<JsonElement>()
                .GetProperty("pledgeCount").GetInt32().ShouldBe(pledger.PledgeCount + 1);
            await host.Scenario(s =>
            {
                s.Get.Url("/api/pledgers/norway");
                s.StatusCodeShouldBe(200);
            });
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await AsSuperuser($"drop database if exists {database} with (force)");
        }
    }

    /// <summary>The dump loaded as the database's owner; the models as that version stored them.</summary>
    private static async Task<List<OldModel>> RestoredAsOwner(string connectionString, string dump)
    {
        var path = Path.Combine(TestDatabase.RepositoryRoot(), "tests", "Tracker.Tests", "Platform", "Upgrades", $"{dump}.sql.gz");
        await using var file = File.OpenRead(path);
        await using var unzipped = new GZipStream(file, CompressionMode.Decompress);
        using var text = new StreamReader(unzipped);
        var sql = await text.ReadToEndAsync();

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var restore = new NpgsqlCommand(sql, connection)) await restore.ExecuteNonQueryAsync();
        var models = new List<OldModel>();
        await using var read = new NpgsqlCommand("""
            select data ->> 'Key', (data -> 'Money' ->> 'Pledged')::numeric, (data -> 'Money' ->> 'Committed')::numeric,
                   (data -> 'Money' ->> 'Disbursed')::numeric, coalesce((data ->> 'PledgeCount')::int, 0)
              from tracker.mt_doc_commitmentprogress order by 1
            """, connection);
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            models.Add(new OldModel(reader.GetString(0), reader.GetDecimal(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetInt32(4)));
        }
        return models;
    }

    private static async Task AsSuperuser(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.SuperuserConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
