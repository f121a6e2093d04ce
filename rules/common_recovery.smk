# Helpers of the recovery rules (paths, seeds, input functions, targets). No rules here.


def recovery_outputs():
    """Every file of the recovery part that the current config produces."""
    if not config["recovery"]["activate"]:
        return []
    return []
