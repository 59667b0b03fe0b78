from django.db import migrations, models

REASON = models.CharField(
    blank=True,
    help_text=(
        "Obligatoire pour un ajustement du budget primitif et pour retenir une charge "
        "« autre »."
    ),
    max_length=300,
    verbose_name="motif",
)
REFERENCE = models.CharField(
    blank=True,
    help_text="Ex. « article 7 de la convention » ; cité dans l'explication.",
    max_length=200,
    verbose_name="article de la clause de régularisation",
)


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_shared_services_statements_catalogue"),
    ]

    operations = [
        migrations.AddField(model_name="chargeline", name="reason", field=REASON),
        migrations.AddField(model_name="historicalchargeline", name="reason", field=REASON),
        migrations.AddField(
            model_name="sharedservice", name="regularisation_reference", field=REFERENCE
        ),
        migrations.AddField(
            model_name="historicalsharedservice", name="regularisation_reference", field=REFERENCE
        ),
    ]
