from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("programme", "0005_load_framework")]
    operations = [migrations.DeleteModel(name="EligibleArea")]
