using System.Security.Claims;
using Gate.Server.Security;
using Gate.Server.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Returns;

/// <summary>This month (on the offices' clock) and the months already closed.</summary>
public sealed record ReturnIndex(string CurrentMonth, IReadOnlyList<string> Closed);

/// <summary>
/// /api/returns: the monthly statistics return. Anyone signed in reads it; figures are entered, and months closed, by
/// an education office, a technician or an admin. Refusals: 400 ValidationProblem naming the field, 404 for an unknown
/// school, 409 ProblemDetails when the month is already closed.
/// </summary>
public static class ReturnsApi
{
    public static IEndpointRouteBuilder MapReturns(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/returns").WithTags("Returns").RequireAuthorization(Policies.View).WithApiContract();

        group.MapGet("/columns", () => TypedResults.Ok(ReturnColumns.All))
            .WithSummary("The return's columns")
            .WithDescription("Every column of the monthly return in the annex's order: key, Chinese heading, English label, group (人防/物防/技防), and whether Gate measures it or it is entered per school.");
        group.MapGet("/", (ReturnBook book) => TypedResults.Ok(new ReturnIndex(book.CurrentMonth(), book.ClosedMonths())))
            .WithSummary("This month and the closed months")
            .WithDescription("The current month on the offices' clock (Returns:UtcOffsetHours) and every month already closed and kept.");

        group.MapGet("/{month}", Results<Ok<MonthlyReturn>, ValidationProblem> (string month, ReturnBook book) =>
            book.CheckMonth(month) is { } error ? MonthProblem(error) : TypedResults.Ok(book.Find(month)))
            .WithSummary("The return of one month")
            .WithDescription("Per district, city subtotals and the province total, every column. A closed month is read from its kept copy; an open one is measured when asked. month is yyyy-MM, not after this month.");

        group.MapGet("/{month}/export.xlsx", Results<FileContentHttpResult, ValidationProblem> (string month, string? lang, ReturnBook book) =>
            book.CheckMonth(month) is { } error ? MonthProblem(error)
                : TypedResults.File(ReturnSheet.Of(book.Find(month), lang == "en").ToXlsx(month),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"gate-return-{month}.xlsx"))
            .Produces(StatusCodes.Status200OK, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .WithSummary("Export the return as XLSX")
            .WithDescription("The annex's layout: title, two merged heading rows, districts, city subtotals, province total. lang=en for English headings.");

        group.MapGet("/{month}/export.csv", Results<FileContentHttpResult, ValidationProblem> (string month, string? lang, ReturnBook book) =>
            book.CheckMonth(month) is { } error ? MonthProblem(error)
                : TypedResults.File(ReturnSheet.Of(book.Find(month), lang == "en").ToCsv(), "text/csv; charset=utf-8", $"gate-return-{month}.csv"))
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .WithSummary("Export the return as CSV")
            .WithDescription("Both heading rows, then the rows of the XLSX export. lang=en for English headings.");

        group.MapPost("/{month}/close", Results<Ok<MonthlyReturn>, ValidationProblem, ProblemHttpResult> (string month, ReturnBook book, ClaimsPrincipal user) =>
            {
                var outcome = book.Close(month, Actor(user));
                return outcome.Errors is { } errors ? TypedResults.ValidationProblem(errors.ToDictionary())
                    : outcome.Refusal is not null ? Closed(month)
                    : TypedResults.Ok(outcome.Value!);
            })
            .RequireAuthorization(Policies.EnterReturns)
            .WithSummary("Close a month")
            .WithDescription("Keeps the whole return as it is now (figures, schools, who entered what); from then on the month is read from the kept copy and refuses entries. 409 when already closed.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/{month}/changes", Results<Ok<ReturnChanges>, ValidationProblem, ProblemHttpResult> (string month, string? since, ReturnBook book) =>
        {
            var from = since ?? (book.CheckMonth(month) is null ? ReturnBook.PreviousMonth(month) : "");
            var outcome = book.Changes(month, from);
            return outcome.Errors is { } errors ? TypedResults.ValidationProblem(errors.ToDictionary())
                : outcome.Refusal is not null ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Month not closed",
                    detail: $"{from} is not closed; a month is compared with a closed one (POST /api/returns/{from}/close)")
                : TypedResults.Ok(outcome.Value!);
        })
            .WithSummary("Compare a month with a closed one")
            .WithDescription("Per district, city and province: was, now and the change per column. since (yyyy-MM) defaults to the month before and must be closed, else 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/schools/{schoolId}/{month}", Results<Ok<ReturnSchoolEntries>, ProblemHttpResult, ValidationProblem> (string schoolId, string month, ReturnBook book) =>
            book.CheckMonth(month) is { } error ? MonthProblem(error)
                : book.Entries(schoolId, month) is { } entries ? TypedResults.Ok(entries) : NoSuchSchool(schoolId))
            .WithSummary("A school's entered figures for a month")
            .WithDescription("The entries in force for that month (a figure stands until a new one is entered), each with who entered it, when and the note.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("/schools/{schoolId}/{month}", Results<Ok<ReturnSchoolEntries>, ValidationProblem, ProblemHttpResult> (
                string schoolId, string month, ReturnEntryRequest request, ReturnBook book, ClaimsPrincipal user) =>
            {
                var outcome = book.Enter(schoolId, month, request, Actor(user));
                return outcome.Errors is { } errors ? TypedResults.ValidationProblem(errors.ToDictionary())
                    : outcome.Refusal == ReturnRefusal.UnknownSchool ? NoSuchSchool(schoolId)
                    : outcome.Refusal is not null ? Closed(month)
                    : TypedResults.Ok(outcome.Value!);
            })
            .RequireAuthorization(Policies.EnterReturns)
            .WithSummary("Enter a school's figures for a month")
            .WithDescription("Yes/no figures for the entered columns (guards, closedManagement ...) with an optional note; measured columns are refused. 404 unknown school, 409 month closed.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    private static ValidationProblem MonthProblem(string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["month"] = [error] });

    private static ProblemHttpResult NoSuchSchool(string schoolId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown school", detail: $"no school '{schoolId}'");

    private static ProblemHttpResult Closed(string month) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Month closed", detail: $"the return for {month} is closed and kept as it was");
}
