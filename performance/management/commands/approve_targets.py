"""python manage.py approve_targets --year Y [--unit CODE] --user NAME: SPEC section 17."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from budgets.models import Unit
from performance.declaration.approvals import ApprovalRefused, approve_submitted_targets
from performance.management.base import DataCommand


class Command(DataCommand):
    help = "批复某年度已申报的绩效目标（部门审核人、财政或超级用户）；全部批复或全部不批复。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", default="", help="单位编码；不填则为该用户能看到的全部单位")
        parser.add_argument("--user", required=True, help="批复人（部门审核人、财政或超级用户）的用户名")

    def handle(self, *args, year, unit, user, **options):
        by = get_user_model().objects.filter(username=user, is_active=True).first()
        if by is None:
            raise CommandError(f"没有用户{user}。")
        try:
            approved = approve_submitted_targets(year=year, unit=unit, by=by)
        except Unit.DoesNotExist as error:
            raise CommandError(f"没有编码为{unit}的单位，或用户{user}无权查看。") from error
        except ApprovalRefused as error:
            for line in error.refused:
                self.stderr.write(line)
            raise CommandError(
                f"用户{user}不能批复其中{len(error.refused)}个项目的绩效目标，未批复任何项目。"
            ) from error
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        if not approved:
            self.stdout.write(f"{year}年度没有待批复（已申报）的绩效目标。")
            return
        for project in approved:
            self.stdout.write(f"{project.unit.code} {project.name} 已批复")
        self.stdout.write(f"共批复{len(approved)}个项目的绩效目标。")
