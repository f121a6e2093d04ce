# Helpers of the separation rules (paths, seeds, input functions, targets). No rules here.


def separation_outputs():
    """Every file of the separation part that the current config produces."""
    if not config["separation"]["activate"]:
        return []
    return []
