"""``logistics events catalogue``: write the event catalogue, or check it has not drifted."""

from pathlib import Path
from typing import Annotated

import typer

events = typer.Typer(help="The events contexts exchange.", no_args_is_help=True)


@events.command("catalogue")
def catalogue(
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if the files differ from the code"),
    ] = False,
    docs: Annotated[Path, typer.Option(help="The catalogue's directory")] = Path("docs"),
) -> None:
    """Generate docs/asyncapi.yaml and docs/events/*.schema.json from the event classes
    and the subscriber table."""
    from logistics_platform.entrypoints import catalogue as generated  # noqa: PLC0415 - loads the platform

    if not check:
        for path in generated.write(docs):
            typer.echo(f"wrote {path}")
        typer.secho("the event catalogue is up to date", fg=typer.colors.GREEN)
        return
    differences = generated.drift(docs)
    for difference in differences:
        typer.echo(difference, err=True)
    if differences:
        typer.secho(
            "the event catalogue differs from the code: run `logistics events catalogue`"
            " and commit the result",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1)
    typer.secho("the event catalogue matches the code", fg=typer.colors.GREEN)
