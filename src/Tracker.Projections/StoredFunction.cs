using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;

namespace Tracker.Projections;

/// <summary>
/// A function of our own that Weasel keeps (`db-apply`, `db-assert`, the apply at start), written the way PostgreSQL
/// prints it back (pg_get_functiondef), so that it is found unchanged until its text changes; with the statements that
/// must follow its creation, run with it and compared through a hash of the exact text kept in the function: Weasel
/// replaces a changed function with DROP ... CASCADE, which takes its triggers along, so they are created again right
/// after, and a change to those statements alone replaces the function too. (Written any other way, every `db-apply`
/// dropped and re-created each function, its triggers with it, and `db-assert` never passed.)
/// </summary>
public sealed partial class StoredFunction : Function
{
    private readonly string _definition;

    private StoredFunction(PostgresqlObjectName name, string definition, string afterCreate)
        : base(name, afterCreate.Length == 0 ? definition : $"{definition}\n{afterCreate}") => _definition = definition;

    /// <param name="name">The function.</param>
    /// <param name="arguments">Its arguments as PostgreSQL prints them (`p_at timestamp with time zone`, not `timestamptz`).</param>
    /// <param name="returns">`trigger`, `boolean`, `TABLE(name text, n bigint)`...</param>
    /// <param name="attributes">In PostgreSQL's order: `LANGUAGE plpgsql`, then `IMMUTABLE`, `SECURITY DEFINER`,
    /// `SET search_path TO 'pg_catalog'`.</param>
    /// <param name="body">What goes between the dollar quotes.</param>
    /// <param name="afterCreate">Statements to run after each creation (a trigger's CREATE OR REPLACE TRIGGER).</param>
    public static StoredFunction Of(PostgresqlObjectName name, string arguments, string returns, string[] attributes,
        string body, string afterCreate = "")
    {
        // The comparison, like Weasel's, ignores how whitespace runs; the hash of the exact text (the function's and the
        // statements after it, which are not stored) makes any change to either a change of the function.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{arguments}\n{returns}\n{string.Join('\n', attributes)}\n{body}\n{afterCreate}")))[..16];
        return new StoredFunction(name,
            $"CREATE OR REPLACE FUNCTION {name.QualifiedName}({arguments})\n RETURNS {returns}\n" +
            string.Concat(attributes.Select(a => $" {a}\n")) + $"AS $function$\n-- text {hash}\n{body}\n$function$;\n", afterCreate);
    }

    protected override ISchemaObjectDelta CreateFunctionDelta(FunctionBase? actual) => new Delta(this, (Function?)actual);

    private static string Canonical(string sql) => Whitespace().Replace(sql, " ").Trim().TrimEnd(';').TrimEnd();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private sealed class Delta(StoredFunction expected, Function? actual) : FunctionDelta(expected, actual)
    {
        // Called from the base constructor: only the arguments are set.
        protected override SchemaPatchDifference compare(Function expected, Function? actual) => actual is null
            ? SchemaPatchDifference.Create
            : string.Equals(Canonical(((StoredFunction)expected)._definition), Canonical(actual.Body()), StringComparison.Ordinal)
                ? SchemaPatchDifference.None
                : SchemaPatchDifference.Update;
    }
}
