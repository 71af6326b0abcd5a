using FluentValidation;
using Microsoft.AspNetCore.Http;
using Wolverine.Http;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>Runs the FluentValidation validators of a request type; the generated endpoint code calls it first.</summary>
public static class RequestValidation
{
    public static async Task<IResult> Validate<T>(IEnumerable<IValidator<T>> validators, T? request, TimeProvider clock,
        HttpContext context)
    {
        if (request is null)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON object is required."] },
                title: "A request body is required", detail: "The body was empty or the JSON literal null.",
                type: ProblemTypes.Validation);
        }

        var errors = await ErrorsOf(validators, request, clock, context.RequestAborted);
        return errors is null
            ? WolverineContinue.Result()
            : Results.ValidationProblem(errors, title: "The request is not valid", type: ProblemTypes.Validation);
    }

    /// <summary>What the input bounds and the validators say of a request, by field; null when nothing.</summary>
    public static async ValueTask<Dictionary<string, string[]>?> ErrorsOf<T>(IEnumerable<IValidator<T>> validators, T request,
        TimeProvider clock, CancellationToken token)
    {
        var bounds = InputBounds.Check(request ?? throw new ArgumentNullException(nameof(request)), clock);
        var failures = bounds.Select(f => new FluentValidation.Results.ValidationFailure(f.Field, $"{f.Field} {f.Message}")).ToList();
        // A value left out is said once, as required, and optional text sent blank once, as blank: a validator's rule on
        // the same field would say it again in its words. (Built only when the bounds found something: a valid request,
        // every write's case, allocates nothing for it.)
        var missing = bounds.Count == 0
            ? null
            : bounds.Where(f => f.Message.StartsWith("is required", StringComparison.Ordinal) || f.Message == InputBounds.BlankProblem)
                .Select(f => f.Field).ToHashSet();
        foreach (var validator in validators)
        {
            foreach (var error in (await Run(validator, request, token)).Errors)
            {
                var path = ToCamelCase(error.PropertyName);
                if (missing is not { Count: > 0 } || !missing.Contains(path))
                {
                    failures.Add(error);
                }
                else if (error.ErrorCode is "CurrencyCodeValidator" or "OneOfValidator" or "SlugValidator" &&
                         Named(error.ErrorMessage, path) is var said && said.StartsWith($"{path} must be ", StringComparison.Ordinal) &&
                         failures.FindIndex(f => f.PropertyName == path && f.ErrorMessage == $"{path} {InputBounds.BlankProblem}") is >= 0 and var blank)
                {
                    // A code, a word or a key sent blank is told which to give (until 2026-12-07 "give text").
                    failures[blank] = new FluentValidation.Results.ValidationFailure(path,
                        $"{path} must not be blank: leave it out, or give {said[$"{path} must be ".Length..]}");
                }
            }
        }

        return failures.Count == 0
            ? null
            : failures.GroupBy(f => ToCamelCase(f.PropertyName))
                .ToDictionary(g => g.Key, g => g.Select(f => Named(f.ErrorMessage, g.Key)).Distinct().ToArray());
    }

    /// <summary>
    /// A rule's message names a nested field by its whole path, as the field map and the bounds do ("'amount.amount' must
    /// be greater than '0'.", "source.note must be at most ..."): FluentValidation names it by its own name alone, which
    /// until 2026-12-06 read "'amount'" and "note".
    /// </summary>
    private static string Named(string message, string path)
    {
        var dot = path.LastIndexOf('.');
        if (dot < 0) return message;
        var leaf = path[(dot + 1)..];
        return message.StartsWith($"'{leaf}'", StringComparison.Ordinal) ? $"'{path}'{message[(leaf.Length + 2)..]}"
            : message.StartsWith($"{leaf} ", StringComparison.Ordinal) ? $"{path}{message[leaf.Length..]}"
            : message;
    }

    /// <summary>
    /// <see cref="ErrorsOf{T}"/> for a request of a type known at run time (a body the reader refused, read again with
    /// the fields it left out filled in: JsonReadProblems); null when a validator could only run asynchronously.
    /// </summary>
    public static Dictionary<string, string[]>? ErrorsOf(object request, IServiceProvider services) =>
        (Dictionary<string, string[]>?)typeof(RequestValidation)
            .GetMethod(nameof(ErrorsOfSynchronously), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(request.GetType()).Invoke(null, [request, services]);

    private static Dictionary<string, string[]>? ErrorsOfSynchronously<T>(T request, IServiceProvider services) =>
        ErrorsOf(services.GetServices<IValidator<T>>(), request, services.GetRequiredService<TimeProvider>(), CancellationToken.None)
            is { IsCompletedSuccessfully: true } done ? done.Result ?? new Dictionary<string, string[]>() : null;

    // Every rule today is synchronous, and FluentValidation's synchronous run skips a state machine per rule that its
    // asynchronous one builds; a validator with an asynchronous rule refuses to run synchronously, and runs the other way.
    private static async ValueTask<FluentValidation.Results.ValidationResult> Run<T>(IValidator<T> validator, T request,
        CancellationToken token)
    {
        try
        {
            return validator.Validate(request);
        }
        catch (AsyncValidatorInvokedSynchronouslyException)
        {
            return await validator.ValidateAsync(request, token);
        }
    }

    // The field map names fields as the JSON body spells them ("publishedOn", "target.amount").
    private static string ToCamelCase(string propertyPath) => string.Join('.',
        propertyPath.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}
