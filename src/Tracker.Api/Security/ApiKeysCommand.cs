using Tracker.Api.Infrastructure.Validation;
using Tracker.Api.Infrastructure;
using JasperFx.CommandLine;

namespace Tracker.Api.Security;

public sealed class ApiKeysInput : NetCoreInput
{
    [Description("create, revoke or list")]
    public string Action { get; set; } = "list";

    [Description("The key's name: who or what uses it (recorded as the actor of every write made with it)")]
    public string NameFlag { get; set; } = "";

    [Description("Comma-separated roles for a new key: viewer, monitor, auditor, admin (required: a key's roles are chosen, not defaulted)")]
    public string RolesFlag { get; set; } = "";
}

/// <summary>
/// `dotnet run -- api-keys create --name ingest-bot --roles monitor` prints a new key once (only its hash is stored);
/// `api-keys revoke --name ingest-bot` (every running node forgets it at once); `api-keys list`. A key's roles do not
/// change: to change them, create a key under a new name and revoke the old one.
/// </summary>
[Description("Create, revoke or list API keys", Name = "api-keys")]
public sealed class ApiKeysCommand : TrackerCommand<ApiKeysInput>
{
    protected override async Task<bool> Run(ApiKeysInput input)
    {
        using var host = input.BuildHost();
        var keys = host.Services.GetRequiredService<ApiKeyStore>();
        switch (input.Action)
        {
            case "create" when input.NameFlag.Length > 0:
                // The command line keeps the last of a flag given twice: "--roles monitor --roles auditor" made an auditor's
                // key without a word (until 2026-12-06).
                if (GivenTwice("--roles", "-r"))
                {
                    Console.Error.WriteLine("No key created: --roles is given more than once; give every role once, comma-separated (--roles monitor,auditor).");
                    return false;
                }
                if (GivenTwice("--name", "-n"))
                {
                    Console.Error.WriteLine("No key created: --name is given more than once; give the key one name.");
                    return false;
                }
                // Chosen, not defaulted: a key made without --roles was a viewer's without a word (until 2026-12-06).
                if (input.RolesFlag.Trim().Length == 0)
                {
                    Console.Error.WriteLine($"No key created: give its roles with --roles ({string.Join(", ", Roles.All)}; comma-separated for several).");
                    return false;
                }
                string key;
                var roles = input.RolesFlag.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Distinct(StringComparer.Ordinal).ToList();
                try
                {
                    key = await keys.Create(input.NameFlag, roles, CancellationToken.None);
                }
                catch (KeyRefused refused)
                {
                    Console.Error.WriteLine($"No key created: {refused.Message}");
                    return false;
                }
                // The roles as kept, not as typed ("monitor," was echoed as typed until 2026-12-06).
                Console.WriteLine($"Created key '{input.NameFlag}' ({string.Join(",", roles)}). Store it now; it is not shown again:");
                Console.WriteLine(key);
                return true;
            case "revoke" when input.NameFlag.Length > 0:
                // Taken for "revoke only this role" it revoked the whole key (until 2026-12-06): a key's roles do not change.
                if (input.RolesFlag.Length > 0 || Given("--roles", "-r"))
                {
                    Console.Error.WriteLine("Nothing revoked: revoke takes no --roles, as a key's roles do not change. To take a role away, " +
                                            "create a key under a new name with the roles it keeps, then revoke this one by --name alone.");
                    return false;
                }
                if (GivenTwice("--name", "-n"))
                {
                    Console.Error.WriteLine("Nothing revoked: --name is given more than once; revoke one key at a time.");
                    return false;
                }
                // The key's name as stored, which another case of it named (until 2026-12-06 the name as typed was echoed).
                var revoked = await keys.RevokeNamed(input.NameFlag, CancellationToken.None);
                var stored = await keys.List(CancellationToken.None);
                if (revoked is null)
                {
                    // A failure on the error stream, as the command's other refusals are (until 2026-12-07 on the output), saying
                    // which of the two it is (until 2026-12-07 it said "none was created by that name, or it is revoked already").
                    // Names compared as the store compares them (one whatever its case).
                    var named = stored.Where(k => k.Name == input.NameFlag).ToList() is { Count: > 0 } exactly
                        ? exactly
                        : stored.Where(k => Commitments.Stating.NameSpellings.SameName(k.Name, input.NameFlag)).ToList();
                    Console.Error.WriteLine(named switch
                    {
                        [] => $"Nothing revoked: no key was created by the name '{input.NameFlag}' (api-keys list shows those that were).",
                        [{ RevokedAt: { } at } gone] => $"Nothing revoked: the key '{gone.Name}' was revoked already, at {InstantsWithOffset.Text(at)}.",
                        _ => $"Nothing revoked: '{input.NameFlag}' names more than one key, differing only in case " +
                             $"({string.Join(", ", named.Select(k => k.Name))}): give the name as it is stored."
                    });
                    return false;
                }
                Console.WriteLine($"Revoked '{revoked}'.");
                // Not a lock-out (this command can always create one), but worth a word before the next admin task fails.
                if (stored.Any(k => k.Name == revoked && k.Roles.Contains(Roles.Admin)) &&
                    !stored.Any(k => k.RevokedAt is null && k.Roles.Contains(Roles.Admin)))
                {
                    Console.WriteLine("No live API key has the admin role now: create one (api-keys create --name NAME --roles admin) " +
                                      "before the next administrative task, or set Auth:BootstrapAdminKey.");
                }
                return true;
            case "list" when input.NameFlag.Length == 0 && input.RolesFlag.Length == 0:
                var listed = await keys.List(CancellationToken.None);
                // Said, not an empty output that reads like a command that did nothing (until 2026-12-07).
                if (listed.Count == 0) Console.WriteLine("No API keys have been created (the bootstrap and demo keys are settings, not listed).");
                foreach (var k in listed)
                {
                    Console.WriteLine($"{k.Name}\t{string.Join(',', k.Roles)}\tcreated {InstantsWithOffset.Text(k.CreatedAt)}" +
                                      (k.RevokedAt is { } at ? $"\trevoked {InstantsWithOffset.Text(at)}" : ""));
                }
                return true;
            default:
                // What was wrong, then the usage (until 2026-12-06 the usage alone).
                Console.Error.WriteLine(input.Action switch
                {
                    "create" or "revoke" => $"{input.Action} needs the key's --name.",
                    "list" => $"list takes no flags (it was given {string.Join(" and ", new[] { (input.NameFlag.Length > 0, "--name"), (input.RolesFlag.Length > 0, "--roles") }.Where(f => f.Item1).Select(f => f.Item2))}).",
                    _ => $"'{input.Action}' is not an api-keys action: create, revoke or list."
                });
                Console.Error.WriteLine("Usage: api-keys create --name NAME --roles ROLE[,ROLE] | api-keys revoke --name NAME | api-keys list");
                return false;
        }
    }
}
