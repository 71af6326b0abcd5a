using Tracker.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Tracker.Tests.Platform;

/// <summary>
/// The Dockerfile and docker-compose.yml, read (there is no Docker engine here): the properties an operator relies on,
/// each a line of the file that would break it.
/// </summary>
public sealed class the_container
{
    private static readonly string Root = TestDatabase.RepositoryRoot();

    /// <summary>The Dockerfile's instructions, one per logical line (continuations joined), by stage.</summary>
    private static List<List<(string Instruction, string Arguments)>> Stages()
    {
        var text = File.ReadAllText(Path.Combine(Root, "Dockerfile")).Replace("\\\n", " ");
        var stages = new List<List<(string, string)>>();
        foreach (var line in text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var space = line.IndexOf(' ');
            var instruction = line[..space].ToUpperInvariant();
            if (instruction == "FROM") stages.Add([]);
            stages[^1].Add((instruction, line[(space + 1)..].Trim()));
        }
        return stages;
    }

    private static YamlMappingNode Service(string name)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Root, "docker-compose.yml"))));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        return (YamlMappingNode)services[name];
    }

    private static string Value(YamlMappingNode node, params string[] path) =>
        path.Aggregate((YamlNode)node, (n, key) => ((YamlMappingNode)n)[key]).ToString();

    [Fact]
    public void the_image_restores_packages_in_a_layer_of_its_own_before_the_code_is_copied()
    {
        var build = Stages()[0];
        var restore = build.FindIndex(i => i.Instruction == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        var code = build.FindIndex(i => i.Instruction == "COPY" && i.Arguments.StartsWith("src/ ", StringComparison.Ordinal));

        restore.ShouldBeGreaterThan(0);
        code.ShouldBeGreaterThan(restore);
        build.Take(restore).Where(i => i.Instruction == "COPY").ShouldAllBe(i => i.Arguments.Contains(".csproj") || i.Arguments.Contains(".props") || i.Arguments.Contains("NuGet.config"));
    }

    [Fact]
    public void no_local_data_folder_reaches_the_build_and_the_memory_of_checkpoints_sits_on_the_key_volume()
    {
        // The service's folder keeps a developer's signing key and checkpoint memory in .data/keys: until 2026-12-08 only
        // the repository's own .data/ was left out, and `COPY src/ src/` sent src/Tracker.Api/.data/keys into the build.
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore")).Select(l => l.Trim()).ToList();
        ignored.ShouldContain("**/.data/");
        // The memory sits beside the key file unless set (CheckpointMemory): on the volume the unprivileged user may write.
        var runtime = Stages()[^1];
        runtime.ShouldContain(i => i.Instruction == "ENV" && i.Arguments.Contains("Audit__Checkpoints__SigningKeyFile=/keys/"));
        runtime.ShouldNotContain(i => i.Arguments.Contains("Audit__Checkpoints__MemoryFile"));
        Value(Service("api"), "volumes").ShouldContain("tracker-keys:/keys");
    }

    [Fact]
    public void the_runtime_image_has_no_sdk_runs_as_an_unprivileged_user_and_checks_readiness()
    {
        var runtime = Stages()[^1];

        runtime[0].Arguments.ShouldStartWith("mcr.microsoft.com/dotnet/aspnet:");
        Stages()[0].Single(i => i.Instruction == "RUN" && i.Arguments.Contains("dotnet publish")).Arguments
            .ShouldContain("-name 'Microsoft.CodeAnalysis*' -delete");
        var user = runtime.Last(i => i.Instruction == "USER").Arguments;
        user.ShouldNotBe("root");
        user.ShouldNotBe("0");
        runtime.FindIndex(i => i.Instruction == "USER").ShouldBeGreaterThan(runtime.FindLastIndex(i => i.Instruction == "RUN"));
        var health = runtime.Single(i => i.Instruction == "HEALTHCHECK").Arguments;
        health.ShouldContain("/health/ready");
        // Exec form: the command is a JSON array.
        System.Text.Json.JsonSerializer.Deserialize<string[]>(health[health.IndexOf('[')..])!.Length.ShouldBe(3);
    }

    [Fact]
    public void compose_starts_the_api_once_the_database_is_ready_and_the_schema_applied_as_the_owner()
    {
        var api = Service("api");
        var migrate = Service("migrate");
        var db = Service("db");

        Value(api, "depends_on", "db", "condition").ShouldBe("service_healthy");
        Value(api, "depends_on", "migrate", "condition").ShouldBe("service_completed_successfully");
        Value(migrate, "depends_on", "db", "condition").ShouldBe("service_healthy");
        Value(migrate, "command").ShouldContain("db-apply");
        Value(migrate, "environment", "ConnectionStrings__Tracker").ShouldContain("Username=tracker_owner");
        Value(api, "environment", "ConnectionStrings__Tracker").ShouldContain("Username=tracker_service");
        ((YamlSequenceNode)db["volumes"]).Children.Select(v => v.ToString())
            .ShouldContain(v => v.Contains("docker-db-roles.sh") && v.Contains("/docker-entrypoint-initdb.d/"));
        Value(db, "healthcheck", "test").ShouldContain("pg_isready");
    }

    [Fact]
    public void no_secret_is_written_into_compose_the_admin_key_must_be_given()
    {
        Value(Service("api"), "environment", "Auth__BootstrapAdminKey").ShouldContain(":?");
    }
}
