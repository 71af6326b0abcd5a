using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alba;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Audit;

/// <summary>
/// An auditor who trusts none of the service's code checks the log with their own: every event's hash, its link to the
/// one before it in its stream, and each checkpoint's root and signature, from what the API serves and the rules the
/// README gives. Nothing here calls the service's hashing: the rules are written again from the README.
/// </summary>
public sealed class verifying_without_the_service(TrackerApp app) : TrackerTest(app)
{
    [Fact]
    public async Task an_auditor_recomputes_every_hash_link_and_root_from_the_log_as_hashed()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(), 201);
        var report = await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = report.Version(), reason = "a typo", source = Source });
        // Text outside ASCII: the page's JSON escapes it, and the hash covers its UTF-8 bytes (the length is in bytes).
        await Api.Write("/api/commitments", new
        {
            key = "reconstruction-ar", kind = "milestone", lineOfEffort = "stabilisation", actors = new[] { "iraq" },
            title = "إعادة إعمار المناطق المحررة بحلول 2025.", statedIn = new { documentKey = "washington-2024", quote = "إعادة الإعمار" }
        }, 201);
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var checkpoint = (await Api.Scenario(s =>
        {
            s.Post.Url("/api/admin/checkpoints");
            s.StatusCodeShouldBe(201);
        })).Json();

        var events = new List<JsonElement>();
        var checkpoints = new List<JsonElement>();
        long after = 0;
        while (true)
        {
            var page = (await Api.Scenario(s => s.Get.Url($"/api/audit/log?after={after}&limit=2"))).Json();
            events.AddRange(page.GetProperty("events").EnumerateArray());
            checkpoints.AddRange(page.GetProperty("checkpoints").EnumerateArray());
            if (page.GetProperty("next").GetInt64() == after) break;
            after = page.GetProperty("next").GetInt64();
        }

        events.Count.ShouldBe(6);
        events[^1].GetProperty("dataText").GetString().ShouldNotBeNull().ShouldContain("إعادة إعمار");
        var lastInStream = new Dictionary<Guid, string>();
        foreach (var e in events)
        {
            var stream = e.GetProperty("streamId").GetGuid();
            var previous = lastInStream.GetValueOrDefault(stream);
            e.GetProperty("scheme").GetInt16().ShouldBe((short)2);
            Text(e, "previousHash").ShouldBe(previous);
            e.GetProperty("hash").GetString().ShouldBe(SchemeTwo(e, previous), $"the hash of event {e.GetProperty("sequence")}");
            lastInStream[stream] = e.GetProperty("hash").GetString()!;
        }
        // The data is the text the hash covers, as stored (its own names), not the API's shape of the fact.
        events[1].GetProperty("type").GetString().ShouldBe("commitment_stated");
        events[1].GetProperty("dataText").GetString().ShouldNotBeNull().ShouldContain("\"Key\": \"stabilisation-394m\"");

        // The checkpoint taken is in the pages it ends in, and its root is the chain over every event up to it.
        var kept = checkpoints.ShouldHaveSingleItem();
        kept.GetProperty("number").GetInt64().ShouldBe(checkpoint.GetProperty("number").GetInt64());
        var root = new byte[32];
        foreach (var e in events.Where(e => e.GetProperty("sequence").GetInt64() <= kept.GetProperty("throughSequence").GetInt64()))
        {
            var sequence = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(sequence, e.GetProperty("sequence").GetInt64());
            root = SHA256.HashData([.. root, .. sequence, .. Convert.FromHexString(e.GetProperty("streamId").GetGuid().ToString("N")),
                .. Convert.FromHexString(e.GetProperty("hash").GetString()!)]);
        }
        Convert.ToHexStringLower(root).ShouldBe(kept.GetProperty("root").GetString());

        // Its signature, by the public key the service publishes, over the text the README gives.
        var key = (await Api.Scenario(s => s.Get.Url("/api/audit/checkpoints/key"))).Json();
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(key.GetProperty("publicKeyPem").GetString());
        var signed = string.Join('\n', "tracker-log-checkpoint v1", kept.GetProperty("number").GetInt64(), kept.GetProperty("afterSequence").GetInt64(),
            kept.GetProperty("throughSequence").GetInt64(), kept.GetProperty("eventCount").GetInt64(), kept.GetProperty("root").GetString(),
            kept.GetProperty("takenAt").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        ecdsa.VerifyData(Encoding.UTF8.GetBytes(signed), Convert.FromBase64String(kept.GetProperty("signature").GetString()!), HashAlgorithmName.SHA256)
            .ShouldBeTrue();
        // The key's id: the first 16 hex digits of the SHA-256 of its DER SubjectPublicKeyInfo.
        Convert.ToHexStringLower(SHA256.HashData(ecdsa.ExportSubjectPublicKeyInfo()))[..16].ShouldBe(key.GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task an_event_changed_behind_the_service_no_longer_gives_its_hash_from_the_log_as_hashed()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var before = (await Api.Scenario(s => s.Get.Url("/api/audit/log"))).Json().GetProperty("events").EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "commitment_stated");
        before.GetProperty("hash").GetString().ShouldBe(SchemeTwo(before, null));
        await using (var connection = new NpgsqlConnection(TestDatabase.SuperuserConnectionString()))
        {
            await connection.OpenAsync();
            // What a superuser can do: switch the log's guards off for one transaction.
            await using var edit = new NpgsqlCommand("begin; set local session_replication_role = replica; " +
                "update tracker.mt_events set data = jsonb_set(data, '{Title}', '\"Raise $1 billion\"') where type = 'commitment_stated'; commit;", connection);
            await edit.ExecuteNonQueryAsync();
        }

        var stated = (await Api.Scenario(s => s.Get.Url("/api/audit/log"))).Json().GetProperty("events").EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "commitment_stated");
        stated.GetProperty("dataText").GetString().ShouldNotBeNull().ShouldContain("Raise $1 billion");
        stated.GetProperty("hash").GetString().ShouldNotBe(SchemeTwo(stated, null));
    }

    /// <summary>A text field of the page, or null where it is none (left out, as the API leaves out what is null).</summary>
    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    /// <summary>
    /// Hash scheme 2 as the README writes it: SHA-256, in lowercase hex, of the UTF-8 lines "tracker-event v2", the stream
    /// id, version, sequence and event id as they are, then type, data, the time as it is, and tenant, .NET type, user,
    /// correlation id, causation id, headers, binary data each as its length in bytes, a colon and itself ("-" for none),
    /// the archived flag, and the previous hash in its stream as a field; joined by line feeds, none after the last.
    /// </summary>
    private static string SchemeTwo(JsonElement e, string? previous)
    {
        static string Field(string? text) => text is null ? "-" : $"{Encoding.UTF8.GetByteCount(text)}:{text}";
        string? Text(string name) => verifying_without_the_service.Text(e, name);
        var lines = new[]
        {
            "tracker-event v2", e.GetProperty("streamId").GetGuid().ToString(), e.GetProperty("version").GetInt64().ToString(CultureInfo.InvariantCulture),
            e.GetProperty("sequence").GetInt64().ToString(CultureInfo.InvariantCulture), e.GetProperty("id").GetGuid().ToString(),
            Field(Text("type")), Field(Text("dataText")), Text("recordedAt")!,
            Field(Text("tenantId")), Field(Text("dotnetType")), Field(Text("userName")), Field(Text("correlationId")),
            Field(Text("causationId")), Field(Text("headersText")), Field(Text("binaryDataHex")),
            e.GetProperty("archived").GetBoolean() ? "true" : "false", Field(previous)
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));
    }
}
